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
# # E7: perturbation and retraining (seed 001 §VI.C, Fig. 10)
#
# Every candidate that reached min_val_acc (up to max_models) perturbed and retrained: a line
# per k is the mean over those candidates × draws, the band their 25-75% range.

# %% tags=["parameters"]
tables = {"e7_perturbation_retraining": "results/tables/e7_perturbation_retraining.csv"}
png = "results/figures/e7_perturbation.png"
pdf = "results/figures/e7_perturbation.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e7_perturbation import perturbation_curves
from rnnstudy.plots.style import save_figure

figure = perturbation_curves(pd.read_csv(tables["e7_perturbation_retraining"]))
save_figure(figure, png, pdf)
Image(png)
