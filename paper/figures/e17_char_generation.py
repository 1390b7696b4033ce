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
# # E17: character-level generation with temperature, and dropout (seed 003 §3; seed 002)
# `kind` is `curves` (loss and accuracy curves, seed 003 Fig. 9, and the dropout comparison)
# or `sampling` (what temperature does to samples); `ngram` is the n of the distinct n-grams.

# %% tags=["parameters"]
tables = {"e17_char_generation_curves": "results/tables/e17_char_generation_curves.csv"}
kind = "curves"
ngram = 4
png = "results/figures/e17_char_generation_curves.png"
pdf = "results/figures/e17_char_generation_curves.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e17_char_generation import curves, sampling
from rnnstudy.plots.style import save_figure

if kind == "curves":
    figure = curves(pd.read_csv(tables["e17_char_generation_curves"]))
else:
    figure = sampling(pd.read_csv(tables["e17_char_generation_measures"]), ngram)
save_figure(figure, png, pdf)
Image(png)
