"""E5 (seed 001 Fig. 7-8): how untrained random settings score, from their histograms."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..analysis.e5_landscape import weighted_quantiles
from .style import MODEL_COLORS, MODEL_NAMES, shape_label, theme


def _shapes(table):
    return sorted(set(zip(table["input_dim"], table["hidden_dim"])))


def landscape_distribution(table: pd.DataFrame):
    """Settings per validation accuracy, one panel per shape, a line per model (Fig. 7)."""
    theme()
    shapes = _shapes(table)
    cols = min(2, len(shapes))
    rows = -(-len(shapes) // cols)
    fig, axes = plt.subplots(rows, cols, squeeze=False, figsize=(4.6 * cols, 3.2 * rows),
                             constrained_layout=True, sharex=True)
    for ax, (i, h) in zip(axes.flat, shapes):
        shape = table[(table["input_dim"] == i) & (table["hidden_dim"] == h)]
        for model, hist in shape.groupby("model"):
            # Every bin between the extremes, empty ones as gaps (a log axis has no 0).
            counts = hist.set_index("correct")["settings"].reindex(
                range(hist["correct"].min(), hist["correct"].max() + 1))
            accuracy = counts.index.to_numpy() / (hist["correct"] / hist["accuracy"]).iloc[0]
            ax.plot(accuracy * 100, counts.to_numpy(dtype=float), lw=1, marker=".", ms=2,
                    color=MODEL_COLORS[model],
                    label=f"{MODEL_NAMES[model]} ({hist['settings'].sum():,} settings)")
        ax.set_yscale("log")
        ax.set_title(shape_label(i, h))
        ax.set_xlabel("validation accuracy (%)")
        ax.set_ylabel("settings")
        ax.legend(fontsize=7)
    for ax in axes.flat[len(shapes):]:
        ax.remove()
    fig.suptitle("Untrained random settings: how many reach each validation accuracy")
    return fig


def box_stats(hist: pd.DataFrame, label: str) -> dict:
    """matplotlib.bxp statistics of a histogram (whiskers at 1.5 IQR, min/max as fliers)."""
    values, weights = hist["accuracy"].to_numpy() * 100, hist["settings"].to_numpy()
    q1, median, q3 = weighted_quantiles(values, weights, (0.25, 0.5, 0.75))
    iqr = q3 - q1
    inside = values[(values >= q1 - 1.5 * iqr) & (values <= q3 + 1.5 * iqr)]
    outside = values[(values < inside.min()) | (values > inside.max())]
    return {"label": label, "q1": q1, "med": median, "q3": q3, "whislo": inside.min(),
            "whishi": inside.max(), "mean": np.average(values, weights=weights),
            "fliers": outside}


def landscape_boxes(table: pd.DataFrame):
    """A box per model and shape (Fig. 8); dots beyond the whiskers are occupied bins."""
    theme()
    stats, colors = [], []
    for i, h in _shapes(table):
        for model in [m for m in MODEL_NAMES if m in set(table["model"])]:
            hist = table[(table["model"] == model) & (table["input_dim"] == i)
                         & (table["hidden_dim"] == h)]
            stats.append(box_stats(hist, f"{MODEL_NAMES[model]}\n{shape_label(i, h)}"))
            colors.append(MODEL_COLORS[model])
    fig, ax = plt.subplots(figsize=(0.9 * len(stats) + 1.5, 3.6), constrained_layout=True)
    boxes = ax.bxp(stats, showmeans=True, patch_artist=True,
                   flierprops={"marker": ".", "markersize": 3, "alpha": 0.5})
    for patch, color in zip(boxes["boxes"], colors):
        patch.set_facecolor(color)
        patch.set_alpha(0.5)
    ax.set_ylabel("validation accuracy (%)")
    ax.set_title("Untrained random settings per model and shape (triangle: mean)")
    return fig
