"""E2 (seed 001 Fig. 5-6): validation accuracy of every init, per shape and model."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import MODEL_COLORS, MODEL_NAMES, shape_label, theme


def init_distributions(table: pd.DataFrame, task: str, success_accuracy: float | None = None):
    """A dot per init, per shape and model; above: the best init; below: good inits."""
    theme()
    data = table[table["task"] == task].copy()
    data["shape"] = [shape_label(i, h) for i, h in zip(data["input_dim"], data["hidden_dim"])]
    data["accuracy"] = data["val_acc"] * 100
    models = [m for m in MODEL_NAMES if m in set(data["model"])]
    order = [MODEL_NAMES[m] for m in models]
    shapes = [shape_label(i, h) for i, h in sorted(set(zip(data["input_dim"], data["hidden_dim"])))]
    data["model"] = data["model"].map(MODEL_NAMES)
    fig, ax = plt.subplots(figsize=(0.9 * len(shapes) * len(models) + 1.6, 3.8),
                           constrained_layout=True)
    width = 0.8 / len(order)
    jitter = np.random.default_rng(0)  # a fixed spread: the same table gives the same figure
    for (shape, model), group in data.groupby(["shape", "model"]):
        x = shapes.index(shape) - 0.4 + width * (order.index(model) + 0.5)
        spread = jitter.uniform(-0.35, 0.35, len(group)) * width
        ax.scatter(x + spread, group["accuracy"], s=12, alpha=0.8,
                   color=MODEL_COLORS[models[order.index(model)]],
                   label=model if shape == shapes[0] else None)
        ax.annotate(f"{group['accuracy'].max():.0f}", (x, 101), ha="center", fontsize=7)
        if success_accuracy is not None:
            good = int((group["val_acc"] >= success_accuracy).sum())
            ax.annotate(f"{good}/{len(group)}", (x, 41), ha="center", fontsize=7, color="0.3")
    if success_accuracy is not None:
        ax.axhline(success_accuracy * 100, color="0.4", lw=0.8, ls="--")
    ax.set_xticks(range(len(shapes)), shapes)
    ax.set_ylim(39, 105)
    ax.set_xlabel("input dim × hidden dim")
    ax.set_ylabel("validation accuracy (%)")
    inits = data.groupby(["shape", "model"]).size().max()
    below = f"; bottom: inits ≥ {success_accuracy * 100:.0f}%" if success_accuracy else ""
    ax.set_title(f"{task}: {inits} initializations per shape (top: best init{below})")
    ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig
