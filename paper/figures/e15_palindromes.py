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
# # E15: palindromes, RNN vs LSTM (seed 003 §1, Figs. 2-4, 6-7)
# `kind` is `accuracy` (convergence and best accuracy vs T) or `loss` (training-loss
# curves); `pivot` is the seed's "T ≈ 10", marked.

# %% tags=["parameters"]
tables = {"e15_palindromes_runs": "results/tables/e15_palindromes_runs.csv"}
kind = "accuracy"
pivot = 10
png = "results/figures/e15_palindromes_accuracy.png"
pdf = "results/figures/e15_palindromes_accuracy.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e15_palindromes import accuracy_vs_length, loss_curves
from rnnstudy.plots.style import save_figure

if kind == "accuracy":
    figure = accuracy_vs_length(pd.read_csv(tables["e15_palindromes_runs"]), pivot)
else:
    figure = loss_curves(pd.read_csv(tables["e15_palindromes_curves"]))
save_figure(figure, png, pdf)
Image(png)
