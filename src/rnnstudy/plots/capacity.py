"""E2 (seed 001 Fig. 5-6): validation accuracy of every init, per shape and model."""
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .style import MODEL_COLORS, MODEL_NAMES, shape_label, theme


def init_distributions(table: pd.DataFrame, task: str, success_accuracy: float | None = None):
    """One column of dots per shape and model (each dot an init), with its box and best."""
    theme()
    data = table[table["task"] == task].copy()
    data["shape"] = [shape_label(i, h) for i, h in zip(data["input_dim"], data["hidden_dim"])]
    data["accuracy (%)"] = data["val_acc"] * 100
    models = [m for m in MODEL_NAMES if m in set(data["model"])]
    shapes = [shape_label(i, h) for i, h in
              sorted(set(zip(data["input_dim"], data["hidden_dim"])))]
    palette = {MODEL_NAMES[m]: MODEL_COLORS[m] for m in models}
    data["model"] = data["model"].map(MODEL_NAMES)
    order = [MODEL_NAMES[m] for m in models]
    fig, ax = plt.subplots(figsize=(1.4 * len(shapes) * len(models) + 1.5, 3.6),
                           constrained_layout=True)
    sns.boxplot(data=data, x="shape", y="accuracy (%)", hue="model", order=shapes,
                hue_order=order, palette=palette, ax=ax, fliersize=0, boxprops={"alpha": 0.35},
                legend=False)
    sns.stripplot(data=data, x="shape", y="accuracy (%)", hue="model", order=shapes,
                  hue_order=order, palette=palette, ax=ax, dodge=True, size=3.5, jitter=0.25)
    best = data.groupby(["shape", "model"])["accuracy (%)"].max()
    width = 0.8 / len(order)
    for s, shape in enumerate(shapes):
        for m, model in enumerate(order):
            if (shape, model) in best.index:
                x = s - 0.4 + width * (m + 0.5)
                ax.annotate(f"{best[(shape, model)]:.0f}", (x, best[(shape, model)]),
                            xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
    if success_accuracy is not None:
        ax.axhline(success_accuracy * 100, color="0.4", lw=0.8, ls="--")
    ax.set_ylim(40, 104)
    ax.set_xlabel("input dim × hidden dim")
    ax.set_ylabel("validation accuracy (%)")
    inits = data.groupby(["shape", "model"]).size().max()
    ax.set_title(f"{task}: validation accuracy of {inits} initializations per shape "
                 "(number: best init)")
    ax.legend(title=None, loc="lower right")
    return fig
