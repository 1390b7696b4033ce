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
# # E5: the landscape of untrained parameter settings (seed 001 §VI.A, Fig. 7-8)
# `kind` is `distribution` (Fig. 7) or `box` (Fig. 8).

# %% tags=["parameters"]
tables = {"e5_landscape_histogram": "results/tables/e5_landscape_histogram.csv"}
kind = "distribution"
png = "results/figures/e5_landscape.png"
pdf = "results/figures/e5_landscape.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e5_landscape import landscape_boxes, landscape_distribution
from rnnstudy.plots.style import save_figure

draw = {"distribution": landscape_distribution, "box": landscape_boxes}[kind]
figure = draw(pd.read_csv(tables["e5_landscape_histogram"]))
save_figure(figure, png, pdf)
Image(png)
