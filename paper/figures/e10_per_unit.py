# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---


# %% [markdown]
# # E10: per-unit capacity (seed 000 §IV.C, Fig. 6)
# `input_dim` is the dimension of the input to reconstruct (the linear floor's d).

# %% tags=["parameters"]
tables = {"e10_per_unit_errors": "results/tables/e10_per_unit_errors.csv"}
input_dim = 64
png = "results/figures/e10_per_unit.png"
pdf = "results/figures/e10_per_unit.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e10_per_unit import per_unit
from rnnstudy.plots.style import save_figure

figure = per_unit(pd.read_csv(tables["e10_per_unit_errors"]), input_dim)
save_figure(figure, png, pdf)
Image(png)
