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
# # E3: word geometry (seed 001 §IV.A, Fig. 1)
# Each word of the vocabulary as a point: its vector, what it writes into the state
# (W_ih·x) and that read out directly (W_oh·W_ih·x), for the studied RNN and GRU with their
# trained weights (the table also holds every other candidate, and each one untrained).

# %% tags=["parameters"]
tables = {"e3_word_geometry_vectors": "results/tables/e3_word_geometry_vectors.csv"}
png = "results/figures/e3_word_geometry.png"
pdf = "results/figures/e3_word_geometry.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e3_word_geometry import word_geometry
from rnnstudy.plots.style import save_figure

figure = word_geometry(pd.read_csv(tables["e3_word_geometry_vectors"]))
save_figure(figure, png, pdf)
Image(png)
