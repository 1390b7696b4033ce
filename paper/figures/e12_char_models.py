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
# # E12: next-character prediction (seed 000 §IV.D; Collins et al. 2017 Fig. 3)
# Test bits per character vs parameters; the dotted line is the generated source's entropy
# rate (absent for a text file).

# %% tags=["parameters"]
tables = {"e12_char_models_points": "results/tables/e12_char_models_points.csv"}
png = "results/figures/e12_char_models.png"
pdf = "results/figures/e12_char_models.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e12_char_models import bits_vs_parameters
from rnnstudy.plots.style import save_figure

figure = bits_vs_parameters(pd.read_csv(tables["e12_char_models_points"]))
save_figure(figure, png, pdf)
Image(png)
