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
# # E8: capacity in bits per parameter (seed 000 §IV.A, Fig. 2-4)
# `kind` is `bits` (bits vs parameters, bits per parameter) or `search` (convergence of the
# search and of training).

# %% tags=["parameters"]
tables = {"e8_capacity_points": "results/tables/e8_capacity_points.csv"}
kind = "bits"
png = "results/figures/e8_capacity_bits.png"
pdf = "results/figures/e8_capacity_bits.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e8_capacity import capacity_bits, search_convergence
from rnnstudy.plots.style import save_figure

if kind == "bits":
    figure = capacity_bits(pd.read_csv(tables["e8_capacity_points"]))
else:
    figure = search_convergence(pd.read_csv(tables["e8_capacity_search"]),
                                pd.read_csv(tables["e8_capacity_curves"]))
save_figure(figure, png, pdf)
Image(png)
