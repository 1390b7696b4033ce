"""E1 (seed 001 Fig. 3-4): validation accuracy per input × hidden size, one heatmap per
model and initialization."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .style import MODEL_NAMES, theme


def accuracy_grid(members: pd.DataFrame) -> pd.DataFrame:
    """Validation accuracy in percent, input dims as rows and hidden dims as columns."""
    return (members.pivot(index="input_dim", columns="hidden_dim", values="val_acc") * 100)


def trainability_heatmaps(table: pd.DataFrame, task: str):
    """Rows: models; columns: inits. Each cell annotated with the integer accuracy."""
    theme()
    data = table[table["task"] == task]
    models = [m for m in MODEL_NAMES if m in set(data["model"])]
    inits = sorted(data["init"].unique())
    fig, axes = plt.subplots(len(models), len(inits), squeeze=False,
                             figsize=(2.6 * len(inits) + 1.2, 2.4 * len(models)),
                             constrained_layout=True)
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    for row, model in enumerate(models):
        for col, init in enumerate(inits):
            ax = axes[row, col]
            grid = accuracy_grid(data[(data["model"] == model) & (data["init"] == init)])
            sns.heatmap(grid, ax=ax, vmin=50, vmax=100, cmap="viridis", cbar=False,
                        annot=np.rint(grid.to_numpy()).astype(int), fmt="d",
                        annot_kws={"fontsize": 8}, linewidths=0.5, square=True)
            ax.set_title(f"({next(letters)}) {MODEL_NAMES[model]}, init {init}")
            ax.set_xlabel("hidden dim")
            ax.set_ylabel("input dim")
    fig.colorbar(axes[0, 0].collections[0], ax=axes, shrink=0.8, label="validation accuracy (%)")
    fig.suptitle(f"Trainability on {task}: validation accuracy (%)")
    return fig
