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
# # E2: capacity across many initializations (seed 001 §V.B, Fig. 5-6)
# Validation accuracy of every init per shape and model; the number is the best init.

# %% tags=["parameters"]
tables = {"e2_capacity": "results/tables/e2_capacity.csv"}
task = "first"
success_accuracy = 0.9
png = "results/figures/e2_capacity_first.png"
pdf = "results/figures/e2_capacity_first.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e2_capacity import init_distributions
from rnnstudy.plots.style import save_figure

members = pd.read_csv(tables["e2_capacity"])
figure = init_distributions(members, task, success_accuracy)
save_figure(figure, png, pdf)
Image(png)
