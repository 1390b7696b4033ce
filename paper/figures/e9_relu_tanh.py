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
# # E9: ReLU vs tanh, and the IRNN (seed 000 §IV.B, Fig. 5)

# %% tags=["parameters"]
tables = {"e9_relu_tanh_comparison": "results/tables/e9_relu_tanh_comparison.csv"}
png = "results/figures/e9_relu_tanh.png"
pdf = "results/figures/e9_relu_tanh.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e9_relu_tanh import relu_vs_tanh
from rnnstudy.plots.style import save_figure

figure = relu_vs_tanh(pd.read_csv(tables["e9_relu_tanh_comparison"]))
save_figure(figure, png, pdf)
Image(png)
