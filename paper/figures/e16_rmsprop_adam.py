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
# # E16: RMSprop vs Adam on palindromes (seed 003 §1, Figs. 1-2, 5-6)
# E15's Adam runs beside E16's runs of the same networks with the other optimizer.

# %% tags=["parameters"]
tables = {"e15_palindromes_curves": "results/tables/e15_palindromes_curves.csv",
          "e16_rmsprop_adam_curves": "results/tables/e16_rmsprop_adam_curves.csv"}
png = "results/figures/e16_rmsprop_adam.png"
pdf = "results/figures/e16_rmsprop_adam.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e16_rmsprop_adam import optimizer_losses
from rnnstudy.plots.style import save_figure

figure = optimizer_losses(pd.read_csv(tables["e15_palindromes_curves"]),
                          pd.read_csv(tables["e16_rmsprop_adam_curves"]))
save_figure(figure, png, pdf)
Image(png)
