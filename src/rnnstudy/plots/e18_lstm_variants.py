"""E18: each run's final accuracy per LSTM variant and forget-gate bias, one panel per task
and length."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import MODEL_COLORS, MODEL_NAMES, theme

ORDER = ("lstm", "lstm_peephole", "lstm_cifg", "lstm_nf", "gru")


def _label(model: str, bias) -> str:
    return MODEL_NAMES[model] if pd.isna(bias) else f"{MODEL_NAMES[model]}, b = {bias:g}"


def final_accuracy(runs: pd.DataFrame, converge_accuracy: float | None = None):
    """Runs' final accuracy (dots; filled: converged) and their mean (bar) for every cell ×
    forget bias; one panel per task × length."""
    theme()
    panels = runs[["task", "length"]].drop_duplicates().sort_values(["task", "length"])
    groups = (runs[["model", "forget_bias"]].drop_duplicates()
              .assign(order=lambda d: d["model"].map(ORDER.index))
              .sort_values(["order", "forget_bias"]))
    fig, axes = plt.subplots(len(panels), 1, squeeze=False, sharex=True,
                             figsize=(max(5.0, 0.45 * len(groups) + 1.5), 2.3 * len(panels)),
                             constrained_layout=True)
    rng = np.random.default_rng(0)  # the dots' horizontal jitter only
    for ax, (task, length) in zip(axes[:, 0], panels.itertuples(index=False)):
        panel = runs[(runs["task"] == task) & (runs["length"] == length)]
        for x, (model, bias) in enumerate(groups[["model", "forget_bias"]].itertuples(
                index=False)):
            g = panel[(panel["model"] == model) & ((panel["forget_bias"] == bias)
                                                   | (panel["forget_bias"].isna()
                                                      & pd.isna(bias)))]
            if g.empty:
                continue
            color = MODEL_COLORS[model]
            ax.bar(x, g["final_accuracy"].mean(), 0.7, color=color, alpha=0.35)
            jitter = x + rng.uniform(-0.2, 0.2, len(g))
            ax.scatter(jitter, g["final_accuracy"], s=12, edgecolors=color, lw=0.8, zorder=3,
                       facecolors=[color if c else "white" for c in g["converged"]])
        if converge_accuracy:
            ax.axhline(converge_accuracy, color="0.6", lw=0.8, ls="--")
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("final accuracy")
        ax.set_title(f"{task}, T = {length}", fontsize=9)
    labels = [_label(m, b) for m, b in groups[["model", "forget_bias"]].itertuples(index=False)]
    axes[-1, 0].set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
    return fig
