"""E16 (seed 003 Figs. 1-2, 5-6): training loss vs step per T, Adam (E15) beside the other
optimizer, per architecture."""
import matplotlib.pyplot as plt
import pandas as pd

from ..naming import OPTIMIZER_NAMES
from .e15_palindromes import loss_panel
from .style import MODEL_NAMES, models_in, theme


def optimizer_losses(first: pd.DataFrame, second: pd.DataFrame):
    """Rows: the architectures both arms trained; columns: the two optimizers."""
    theme()
    models = [m for m in models_in(second) if m in set(first["model"])]
    lengths = sorted(second["length"].unique())
    first = first[first["length"].isin(lengths)]
    fig, axes = plt.subplots(len(models), 2, figsize=(7, 2.8 * len(models)),
                             constrained_layout=True, sharey=True, sharex=True, squeeze=False)
    for row, model in zip(axes, models):
        for ax, arm in zip(row, (first, second)):
            name = arm["optimizer"].iloc[0]
            loss_panel(ax, arm[arm["model"] == model], lengths,
                       f"{MODEL_NAMES[model]}, {OPTIMIZER_NAMES.get(name, name)}")
        row[0].set_ylabel("training loss")
    axes[0][-1].legend(fontsize=6)
    return fig
