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
# The studied models' trajectories (as seed 001 Fig. 2), and for every candidate the
# distance of each pair's states and how long the one-word probes stay right.

# %% tags=["parameters"]
tables = {"e4_trajectories_states": "results/tables/e4_trajectories_states.csv",
          "e4_trajectories_lengths": "results/tables/e4_trajectories_lengths.csv",
          "e4_trajectories_distances": "results/tables/e4_trajectories_distances.csv"}
forget_length = 30
meet_distance = 0.05
meet_from = 7
png = "results/figures/e4_trajectories.png"
pdf = "results/figures/e4_trajectories.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e4_trajectories import probe_trajectories
from rnnstudy.plots.style import save_figure

figure = probe_trajectories(pd.read_csv(tables["e4_trajectories_states"]),
                            pd.read_csv(tables["e4_trajectories_lengths"]),
                            pd.read_csv(tables["e4_trajectories_distances"]),
                            forget_length, meet_distance, meet_from)
save_figure(figure, png, pdf)
Image(png)
