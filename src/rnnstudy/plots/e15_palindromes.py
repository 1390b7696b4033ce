"""E15 (seed 003 Figs. 2-4, 6-7): convergence and accuracy vs palindrome length per
architecture, and the training-loss curves."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import MODEL_COLORS, MODEL_NAMES, models_in, theme


def accuracy_vs_length(runs: pd.DataFrame, pivot: int):
    """Left: the fraction of replicates that converged at each T; right: each replicate's
    best evaluation accuracy (dots) and their median (line), chance at 10%."""
    theme()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    models = models_in(runs)
    for k, model in enumerate(models):
        g = runs[runs["model"] == model]
        color = MODEL_COLORS[model]
        share = g.groupby("length")["converged"].mean()
        left.plot(share.index, share.to_numpy(), "-o", ms=4, color=color,
                  label=MODEL_NAMES[model])
        offset = (k - (len(models) - 1) / 2) * 0.12
        right.scatter(g["length"] + offset, g["best_accuracy"], s=9, color=color, alpha=0.6)
        median = g.groupby("length")["best_accuracy"].median()
        right.plot(median.index, median.to_numpy(), "-", color=color, lw=1.2,
                   label=MODEL_NAMES[model])
    for ax in (left, right):
        ax.axvline(pivot + 0.5, color="0.7", lw=0.8, ls=":")
        ax.set_xlabel("palindrome length T")
    left.set_ylabel("replicates converged")
    left.set_ylim(-0.03, 1.03)
    right.axhline(0.1, color="0.5", lw=0.8, ls="--", label="chance")
    right.set_ylabel("best evaluation accuracy")
    right.set_ylim(0, 1.03)
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    return fig


def loss_panel(ax, curves: pd.DataFrame, lengths: list[int], title: str) -> None:
    """Every run's training loss vs step, coloured by T (runs end where they converged)."""
    colors = plt.cm.viridis(np.linspace(0, 0.9, max(len(lengths), 1)))
    for color, length in zip(colors, lengths):
        g = curves[curves["length"] == length].dropna(subset=["train_loss"])
        for i, (_, run) in enumerate(g.groupby(["lr", "replicate"])):
            ax.plot(run["step"], run["train_loss"], color=color, lw=0.8, alpha=0.7,
                    label=f"T = {length}" if i == 0 else None)
    ax.axhline(np.log(10), color="0.5", lw=0.8, ls="--")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("step")
    ax.set_yscale("log")


def loss_curves(curves: pd.DataFrame):
    """One panel per architecture (chance loss ln 10 dashed)."""
    theme()
    models = models_in(curves)
    lengths = sorted(curves["length"].unique())
    fig, axes = plt.subplots(1, len(models), figsize=(3.3 * len(models), 3.2),
                             constrained_layout=True, sharey=True, squeeze=False)
    for ax, model in zip(axes[0], models):
        loss_panel(ax, curves[curves["model"] == model], lengths, MODEL_NAMES[model])
    axes[0][0].set_ylabel("training loss (cross-entropy)")
    axes[0][-1].legend(fontsize=6)
    return fig
