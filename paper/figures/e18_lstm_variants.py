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
# # E18: LSTM variants (seeds 004 and 002, after Greff et al. 2017)
# Each run's final accuracy per cell and forget-gate bias; `converge_accuracy` marked.

# %% tags=["parameters"]
tables = {"e18_lstm_variants_runs": "results/tables/e18_lstm_variants_runs.csv"}
converge_accuracy = None
png = "results/figures/e18_lstm_variants.png"
pdf = "results/figures/e18_lstm_variants.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e18_lstm_variants import final_accuracy
from rnnstudy.plots.style import save_figure

figure = final_accuracy(pd.read_csv(tables["e18_lstm_variants_runs"]), converge_accuracy)
save_figure(figure, png, pdf)
Image(png)
