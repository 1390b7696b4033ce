"""E9 (seed 000 Fig. 5): tanh RNN vs ReLU RNN vs IRNN, bits per parameter per budget."""
import matplotlib.pyplot as plt
import pandas as pd

from .style import MODEL_NAMES, models_in, range_bars, theme


def relu_vs_tanh(table: pd.DataFrame):
    theme()
    depths = sorted(table["layers"].unique())
    fig, axes = plt.subplots(1, len(depths), figsize=(4.2 * len(depths), 3.4), squeeze=False,
                             sharey=True, constrained_layout=True)
    for ax, depth in zip(axes[0], depths, strict=False):
        for model in models_in(table):
            g = table[(table["model"] == model) & (table["layers"] == depth)]
            g = g.sort_values("budget")
            range_bars(ax, g["budget"], g["bits_per_param"], g["bits_per_param_low"],
                       g["bits_per_param_high"], model, MODEL_NAMES[model])
        ax.set_xscale("log")
        ax.set_xlabel("parameter budget")
        ax.set_ylabel("bits per parameter")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{depth} layer{'s' if depth > 1 else ''}", fontsize=9)
    axes[0, 0].legend(fontsize=7)
    return fig
