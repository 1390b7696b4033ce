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
# # E13: optimizers (seed 000 §V, Figs. 11-12)
# Accuracy and loss vs step of each optimizer at its best learning rate, and the mean score
# of every learning rate of the shared grid.

# %% tags=["parameters"]
tables = {"e13_optimizers_curves": "results/tables/e13_optimizers_curves.csv",
          "e13_optimizers_rates": "results/tables/e13_optimizers_rates.csv"}
png = "results/figures/e13_optimizers.png"
pdf = "results/figures/e13_optimizers.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e13_optimizers import optimizer_curves
from rnnstudy.plots.style import save_figure

figure = optimizer_curves(pd.read_csv(tables["e13_optimizers_curves"]),
                          pd.read_csv(tables["e13_optimizers_rates"]))
save_figure(figure, png, pdf)
Image(png)
