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
# # E4: hidden-state trajectories and length generalization (seed 001 §IV.B, Fig. 2)

# %% tags=["parameters"]
tables = {"e4_hidden_states": "results/tables/e4_hidden_states.csv", "e4_length_generalization": "results/tables/e4_length_generalization.csv"}
png = "results/figures/e4_trajectories.png"
pdf = "results/figures/e4_trajectories.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.style import save_figure
from rnnstudy.plots.trajectories import probe_trajectories

figure = probe_trajectories(pd.read_csv(tables["e4_hidden_states"]),
                            pd.read_csv(tables["e4_length_generalization"]))
save_figure(figure, png, pdf)
Image(png)
