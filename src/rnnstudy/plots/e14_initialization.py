"""E14 (seed 000 Figs. 13-14): accuracy curves per recurrent init for the tanh and ReLU RNN,
and success and divergence counts per init × activation × clipping."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import MODEL_NAMES, theme

INIT_COLORS = {"default": "#666666", "orthogonal": "#1b9e77", "identity": "#d95f02",
               "he": "#7570b3"}
CLIP_STYLES = {"none": "-", "norm": "--", "value": ":"}


def _held_curve(g: pd.DataFrame, steps: np.ndarray) -> np.ndarray:
    """One run's accuracy at each evaluation step, held at its last value after it stopped
    (converged runs keep the accuracy they converged at)."""
    return g.set_index("step")["accuracy"].reindex(steps).ffill().to_numpy()


def accuracy_curves(curves: pd.DataFrame, optimizer: str, converge_accuracy: float | None = None):
    """Median accuracy over replicates vs step: rows the activations, columns the lengths;
    a line per init (colour) and clipping mode (line style)."""
    theme()
    data = curves[curves["optimizer"] == optimizer]
    models = [m for m in ("rnn", "rnn_relu") if m in set(data["model"])]
    lengths = sorted(data["length"].unique())
    fig, axes = plt.subplots(len(models), len(lengths), squeeze=False, sharex=True, sharey=True,
                             figsize=(3.0 * len(lengths) + 1.6, 2.4 * len(models)),
                             constrained_layout=True)
    steps = np.sort(data["step"].unique())
    for row, model in enumerate(models):
        for col, length in enumerate(lengths):
            ax = axes[row][col]
            panel = data[(data["model"] == model) & (data["length"] == length)]
            for (init, clipping), g in panel.groupby(["init", "clipping"], sort=False):
                runs = np.stack([_held_curve(r, steps) for _, r in g.groupby("replicate")])
                ax.plot(steps, np.nanmedian(runs, axis=0), CLIP_STYLES[clipping], lw=1.2,
                        color=INIT_COLORS[init], label=f"{init}, clipping {clipping}")
            if converge_accuracy:
                ax.axhline(converge_accuracy, color="0.75", lw=0.8)
            ax.set_title(f"{MODEL_NAMES[model]}, T = {length}", fontsize=9)
            ax.set_ylim(0, 1.02)
            if col == 0:
                ax.set_ylabel("accuracy (median of runs)")
            if row == len(models) - 1:
                ax.set_xlabel("training step")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=6)
    return fig


def outcome_counts(counts: pd.DataFrame):
    """Per optimizer × length (columns) and activation (rows): runs that converged (bars)
    and diverged (hatched bars) for each init, grouped by clipping mode."""
    theme()
    models = [m for m in ("rnn", "rnn_relu") if m in set(counts["model"])]
    groups = counts[["optimizer", "length"]].drop_duplicates().sort_values(["optimizer",
                                                                             "length"])
    fig, axes = plt.subplots(len(models), len(groups), squeeze=False, sharey=True,
                             figsize=(3.2 * len(groups) + 1.4, 2.4 * len(models)),
                             constrained_layout=True)
    inits = [i for i in INIT_COLORS if i in set(counts["init"])]
    clippings = [c for c in CLIP_STYLES if c in set(counts["clipping"])]
    width = 0.8 / len(inits)
    for row, model in enumerate(models):
        for col, (optimizer, length) in enumerate(groups.itertuples(index=False)):
            ax = axes[row][col]
            panel = counts[(counts["model"] == model) & (counts["optimizer"] == optimizer)
                           & (counts["length"] == length)].set_index(["clipping", "init"])
            for k, init in enumerate(inits):
                x = np.arange(len(clippings)) + (k - (len(inits) - 1) / 2) * width
                rows = [panel.loc[(c, init)] if (c, init) in panel.index else None
                        for c in clippings]
                success = [r["successes"] if r is not None else 0 for r in rows]
                diverged = [r["diverged"] if r is not None else 0 for r in rows]
                ax.bar(x, success, width, color=INIT_COLORS[init],
                       label=f"{init}: converged" if row == col == 0 else None)
                ax.bar(x, diverged, width, bottom=success, color="white",
                       edgecolor=INIT_COLORS[init], hatch="///", lw=0.6,
                       label=f"{init}: diverged" if row == col == 0 else None)
            ax.set_xticks(range(len(clippings)), [f"clip {c}" for c in clippings], fontsize=7)
            ax.set_title(f"{MODEL_NAMES[model]}, T = {length}, {optimizer}", fontsize=8)
            if col == 0:
                ax.set_ylabel(f"runs (of {int(counts['runs'].max())})")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=6)
    return fig
