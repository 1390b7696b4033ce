"""E13 (seed 000 Figs. 11-12): accuracy and loss vs step of each optimizer at its best
learning rate, and every learning rate's mean score."""
import matplotlib.pyplot as plt
import pandas as pd

from ..naming import OPTIMIZER_NAMES as NAMES
from .style import theme

COLORS = {"adam": "#7570b3", "rmsprop": "#d95f02", "adagrad": "#1b9e77",
          "sgd_nesterov": "#e7298a"}


def optimizer_curves(curves: pd.DataFrame, rates: pd.DataFrame):
    theme()
    fig, (acc, loss, score) = plt.subplots(1, 3, figsize=(11, 3.3), constrained_layout=True)
    best = rates[rates["best"]].set_index("optimizer")["lr"]
    for name in rates["optimizer"].unique():
        color = COLORS.get(name, "0.3")
        g = curves[(curves["optimizer"] == name) & (curves["lr"] == best[name])]
        for i, (_, run) in enumerate(g.groupby("replicate")):
            label = f"{NAMES.get(name, name)} (lr {best[name]:g})" if i == 0 else None
            acc.plot(run["step"], run["accuracy"], color=color, lw=0.9, alpha=0.8, label=label)
            run = run.dropna(subset=["train_loss"])
            loss.plot(run["step"], run["train_loss"], color=color, lw=0.9, alpha=0.8)
        r = rates[rates["optimizer"] == name]
        score.errorbar(r["lr"], r["score"], yerr=[r["score"] - r["score_low"],
                                                  r["score_high"] - r["score"]],
                       fmt="-o", ms=3.5, capsize=2, color=color, label=NAMES.get(name, name))
    acc.axhline(0.1, color="0.5", lw=0.8, ls="--")
    acc.set(xlabel="step", ylabel="evaluation accuracy", ylim=(0, 1.03))
    loss.set(xlabel="step", ylabel="training loss", yscale="log")
    score.set(xlabel="learning rate", ylabel="score (mean accuracy over the run)",
              xscale="log", ylim=(0, 1.03))
    acc.legend(fontsize=6)
    score.legend(fontsize=6, loc="best")
    return fig
