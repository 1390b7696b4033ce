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
# # E14: initialization of the recurrent matrix, and clipping (seed 000 §VI, Figs. 13-14)
# `kind` is `curves` (median accuracy vs step per init and clipping mode, for `optimizer`;
# `converge_accuracy` marked) or `counts` (runs that converged and diverged).

# %% tags=["parameters"]
tables = {"e14_initialization_curves": "results/tables/e14_initialization_curves.csv"}
kind = "curves"
optimizer = "adam"
converge_accuracy = None
png = "results/figures/e14_initialization_adam.png"
pdf = "results/figures/e14_initialization_adam.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e14_initialization import accuracy_curves, outcome_counts
from rnnstudy.plots.style import save_figure

if kind == "curves":
    figure = accuracy_curves(pd.read_csv(tables["e14_initialization_curves"]), optimizer,
                             converge_accuracy)
else:
    figure = outcome_counts(pd.read_csv(tables["e14_initialization_counts"]))
save_figure(figure, png, pdf)
Image(png)
