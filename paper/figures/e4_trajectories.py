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
tables = {"e4_trajectories_states": "results/tables/e4_trajectories_states.csv",
          "e4_trajectories_lengths": "results/tables/e4_trajectories_lengths.csv"}
png = "results/figures/e4_trajectories.png"
pdf = "results/figures/e4_trajectories.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e4_trajectories import probe_trajectories
from rnnstudy.plots.style import save_figure

figure = probe_trajectories(pd.read_csv(tables["e4_trajectories_states"]),
                            pd.read_csv(tables["e4_trajectories_lengths"]))
save_figure(figure, png, pdf)
Image(png)
