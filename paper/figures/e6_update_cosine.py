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
# # E6: cosine of local vs global updates (seed 001 §VI.B, eq. 7, Fig. 9)

# %% tags=["parameters"]
tables = {"e6_update_cosine_curves": "results/tables/e6_update_cosine_curves.csv"}
png = "results/figures/e6_update_cosine.png"
pdf = "results/figures/e6_update_cosine.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e6_update_cosine import cosine_curves
from rnnstudy.plots.style import save_figure

figure = cosine_curves(pd.read_csv(tables["e6_update_cosine_curves"]))
save_figure(figure, png, pdf)
Image(png)
