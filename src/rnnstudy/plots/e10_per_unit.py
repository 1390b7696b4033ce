"""E10 (seed 000 Fig. 6): reconstruction error vs hidden units, with the linear floor."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import MODEL_NAMES, models_in, range_bars, theme


def per_unit(errors: pd.DataFrame, input_dim: int):
    theme()
    fig, ax = plt.subplots(figsize=(5.2, 3.6), constrained_layout=True)
    units = np.arange(1, max(errors["hidden_dim"].max(), input_dim) + 1)
    ax.plot(units, np.clip(input_dim - units, 0, None) / input_dim, "--", color="0.5", lw=1,
            label=f"best linear: ({input_dim} − n)/{input_dim}")
    ax.axvline(input_dim, color="0.75", lw=0.8)
    for model in models_in(errors):
        g = errors[errors["model"] == model].sort_values("hidden_dim")
        range_bars(ax, g["hidden_dim"], g["error"], g["error_low"], g["error_high"], model,
                   MODEL_NAMES[model], alpha=0.85)
    ax.set_xlabel("hidden units n")
    ax.set_ylabel("reconstruction error (MSE / input variance)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    return fig
