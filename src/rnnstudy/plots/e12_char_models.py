"""E12 (seed 000 §IV.D; Collins et al. 2017 Fig. 3): bits per character vs parameters, with
the corpus's floor."""
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import NullFormatter

from .style import MODEL_COLORS, MODEL_NAMES, models_in, theme

DEPTH_STYLE = {1: {"ls": "-", "marker": "o"}, 2: {"ls": "--", "marker": "s"}}


def bits_vs_parameters(points: pd.DataFrame):
    """Test bits per character vs trainable parameters per architecture (colour) and depth
    (line style), replicate ranges as bars; the generated source's entropy rate (the floor
    no model can beat) as a line."""
    theme()
    fig, ax = plt.subplots(figsize=(5.6, 3.8), constrained_layout=True)
    for model in models_in(points):
        for depth, g in points[points["model"] == model].groupby("layers"):
            g = g.sort_values("parameters")
            style = DEPTH_STYLE.get(depth, {"ls": ":", "marker": "^"})
            mid = g["test_bits"]
            ax.errorbar(g["parameters"], mid, yerr=[mid - g["test_bits_low"],
                                                    g["test_bits_high"] - mid],
                        ms=3.5, capsize=2, lw=1.2, color=MODEL_COLORS[model], **style,
                        label=f"{MODEL_NAMES[model]}, {depth} layer{'s' if depth > 1 else ''}")
    floor = points["entropy_rate"].dropna()
    if len(floor):
        ax.axhline(floor.iloc[0], color="0.3", lw=0.9, ls=":")
        ax.annotate(f"entropy rate of the source: {floor.iloc[0]:.3f} bits (the floor)",
                    (0.01, floor.iloc[0]), xycoords=("axes fraction", "data"), fontsize=6,
                    color="0.3", va="bottom")
    ax.set_xscale("log")
    budgets = sorted(points["budget"].unique())
    ax.set_xticks(budgets, [f"{b:,}" for b in budgets])  # the budgets, marked
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("trainable parameters (ticks: the budgets)")
    ax.set_ylabel("test bits per character")
    ax.legend(fontsize=6, ncol=2)
    return fig
