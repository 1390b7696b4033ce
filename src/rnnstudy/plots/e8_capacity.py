"""E8 (seed 000 Fig. 2-4): bits stored vs parameters, bits per parameter, and how far the
search and the training had converged."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .style import MODEL_COLORS, MODEL_NAMES, models_in, range_bars, theme


def capacity_bits(points: pd.DataFrame):
    """Per depth, bits vs parameters (log-log, replicate ranges, lines of constant bits per
    parameter); last panel, bits per parameter per architecture and depth, every budget."""
    theme()
    depths = sorted(points["layers"].unique())
    models = models_in(points)
    fig, axes = plt.subplots(1, len(depths) + 1, figsize=(4.2 * (len(depths) + 1), 3.6),
                             constrained_layout=True)
    span = np.array([points["parameters"].min() * 0.8, points["parameters"].max() * 1.25])
    for ax, depth in zip(axes, depths, strict=False):
        for per_param, style in ((1, ":"), (5, "--")):
            ax.plot(span, per_param * span, style, color="0.6", lw=0.8)
            ax.annotate(f"{per_param} bit{'s' if per_param > 1 else ''}/param",
                        (span[1], per_param * span[1]), fontsize=6, color="0.4", ha="right",
                        va="bottom")
        for model in models:
            g = points[(points["model"] == model) & (points["layers"] == depth)]
            g = g.sort_values("parameters")
            range_bars(ax, g["parameters"], g["bits"], g["bits_low"], g["bits_high"], model,
                       MODEL_NAMES[model])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("trainable parameters")
        ax.set_ylabel("bits stored: max I over the search")
        ax.set_title(f"{depth} layer{'s' if depth > 1 else ''}", fontsize=9)
    axes[0].legend(fontsize=7, loc="upper left")
    ax = axes[-1]
    width = 0.8 / max(1, len(depths))
    for d, depth in enumerate(depths):
        for m, model in enumerate(models):
            g = points[(points["model"] == model) & (points["layers"] == depth)]
            x = m + (d - (len(depths) - 1) / 2) * width
            ax.scatter(np.full(len(g), x), g["bits_per_param"], s=14,
                       color=MODEL_COLORS[model], marker="o" if d == 0 else "s",
                       alpha=0.8, label=f"{depth} layer{'s' if depth > 1 else ''}" if m == 0
                       else None, edgecolor="black" if d else "none", linewidth=0.4)
    ax.set_xticks(range(len(models)), [MODEL_NAMES[m] for m in models], rotation=30)
    ax.set_ylabel("bits per parameter (each budget)")
    ax.set_ylim(bottom=0)
    ax.set_title("bits per parameter", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def search_convergence(search: pd.DataFrame, curves: pd.DataFrame):
    """Left: each point's best bits per parameter vs the number of search settings tried.
    Right: the most bits per parameter any member of a point holds vs training steps."""
    theme()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    keys = ["model", "layers", "budget"]
    for (model, _, _), g in search.groupby(keys):
        axes[0].plot(g["evaluations"], g["best_bits_per_param"], "-", color=MODEL_COLORS[model],
                     alpha=0.6, lw=1)
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_xlabel("search settings tried")
    axes[0].set_ylabel("best bits per parameter so far")
    axes[0].set_title("the search (one line per architecture, depth, budget)", fontsize=9)
    most = curves.assign(bpp=curves["bits"] / curves["parameters"]).groupby(
        keys + ["step"], as_index=False)["bpp"].max()
    for (model, _, _), g in most.groupby(keys):
        axes[1].plot(g["step"], g["bpp"], "-", color=MODEL_COLORS[model], alpha=0.6, lw=1)
    axes[1].set_xlabel("training steps")
    axes[1].set_ylabel("most bits per parameter of any member")
    axes[1].set_title("training (one line per architecture, depth, budget)", fontsize=9)
    for model in models_in(search):
        axes[1].plot([], [], color=MODEL_COLORS[model], label=MODEL_NAMES[model])
    axes[1].legend(fontsize=7)
    for ax in axes:
        ax.set_ylim(bottom=0)
    return fig
