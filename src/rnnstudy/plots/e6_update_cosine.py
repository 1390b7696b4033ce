"""E6 (seed 001 Fig. 9): cosine of each epoch's update with the whole run's update."""
import matplotlib.pyplot as plt
import pandas as pd

from .selection import studied
from .style import MODEL_COLORS, MODEL_NAMES, shape_label, theme


def cosine_curves(table: pd.DataFrame):
    """A panel per model and shape: the studied model bold, other candidates that reached
    the threshold faint."""
    theme()
    models = [m for m in MODEL_NAMES if m in set(table["model"])]
    shapes = sorted(set(zip(table["input_dim"], table["hidden_dim"])))
    fig, axes = plt.subplots(len(models), len(shapes), squeeze=False, sharey=True,
                             figsize=(4.2 * len(shapes), 3.0 * len(models)),
                             constrained_layout=True)
    for r, model in enumerate(models):
        for c, (i, h) in enumerate(shapes):
            ax = axes[r, c]
            data = table[(table["model"] == model) & (table["input_dim"] == i)
                         & (table["hidden_dim"] == h)]
            others = data[~data["selected"] & (data["final_val_acc"] >= data["min_val_acc"])]
            for _, curve in others.groupby("init"):
                ax.plot(curve["epoch"], curve["cosine"], color=MODEL_COLORS[model], alpha=0.2,
                        lw=0.8)
            chosen = data[data["selected"]]
            ax.plot(chosen["epoch"], chosen["cosine"], "-o", ms=3, color=MODEL_COLORS[model])
            ax.axhline(0, color="0.7", lw=0.6)
            ax.set_title(f"{MODEL_NAMES[model]} ({shape_label(i, h)})", fontsize=9)
            ax.set_xlabel("epoch t")
            ax.set_ylabel("cosine(t)")
            ax.annotate(studied(chosen.iloc[0]), (0, -0.32), xycoords="axes fraction",
                        fontsize=6, color="0.3")
            ax.annotate(f"{others['init'].nunique()} other candidates ≥ threshold (faint)",
                        (0.02, 0.03),
                        xycoords="axes fraction", fontsize=6, color="0.4")
    return fig
