"""E3 (seed 001 Fig. 1): words as points: their vectors, W_ih·x and W_oh·W_ih·x of the
studied model."""
import matplotlib.pyplot as plt
import pandas as pd

from .selection import studied
from .style import MODEL_NAMES, theme

KIND_COLORS = {"stop": "0.55", "positive": "#1b9e77", "negative": "#d95f02"}
SPACES = {"embedding": "word vectors x", "input": "W_ih·x (into the state)",
          "output": "W_oh·W_ih·x"}


def word_geometry(table: pd.DataFrame):
    """Seed 001 Fig. 1 for the studied candidate of each model: its trained weights (the
    table also holds every other candidate, and each one untrained, for the verdicts)."""
    theme()
    table = table[table["selected"].astype(bool) & (table["weights"] == "trained")]
    models = [m for m in MODEL_NAMES if m in set(table["model"])]
    fig, axes = plt.subplots(len(models), len(SPACES), squeeze=False,
                             figsize=(3.4 * len(SPACES), 3.3 * len(models)),
                             constrained_layout=True)
    for row, model in enumerate(models):
        data = table[table["model"] == model]
        for col, (space, title) in enumerate(SPACES.items()):
            ax = axes[row, col]
            points = data[data["space"] == space].pivot(index=["word", "kind"],
                                                        columns="component", values="value")
            for (word, kind), point in points.iterrows():
                y = point.get(2, 0.0)
                ax.scatter(point[1], y, color=KIND_COLORS[kind], s=30)
                ax.annotate(str(word), (point[1], y), xytext=(3, 3), textcoords="offset points",
                            fontsize=7)
            ax.axhline(0, color="0.8", lw=0.6)
            ax.axvline(0, color="0.8", lw=0.6)
            ax.set_title(f"{MODEL_NAMES[model]}: {title}", fontsize=9)
            ax.set_xlabel("component 1")
            ax.set_ylabel("component 2")
        axes[row, 0].annotate(studied(data.iloc[0]), (0, 1.12), xycoords="axes fraction",
                              fontsize=8, color="0.3")
    handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=k)
               for k, c in KIND_COLORS.items()]
    fig.legend(handles=handles, loc="outside right upper", frameon=False)
    return fig
