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
# # E1: trainability heatmaps (seed 001 §V.A, Fig. 3-4)
# Validation accuracy of every input × hidden size, one heatmap per model and init.

# %% tags=["parameters"]
tables = {"e1_trainability": "results/tables/e1_trainability.csv"}
task = "first"
png = "results/figures/e1_trainability_first.png"
pdf = "results/figures/e1_trainability_first.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e1_trainability import trainability_heatmaps
from rnnstudy.plots.style import save_figure

members = pd.read_csv(tables["e1_trainability"])
figure = trainability_heatmaps(members, task)
save_figure(figure, png, pdf)
Image(png)
