"""E4 (seed 001 Fig. 2): hidden-state trajectories of probe pairs, and how long a single
leading sentiment word is remembered."""
import matplotlib.pyplot as plt
import pandas as pd

from .selection import studied
from .style import MODEL_NAMES, theme

PROBES = {"stop_prefix": "3 stop words (A) vs 3 sentiment words (B), same tail",
          "first_word": "one positive (A) / negative (B) word, then stop words",
          "adjacent_swap": "equal counts, one adjacent pair swapped"}
SEQUENCE_COLORS = {"A": "#1b9e77", "B": "#d95f02"}
SHOWN_STEPS = 40  # of the long probe, the steps drawn as a trajectory


def probe_trajectories(states: pd.DataFrame, lengths: pd.DataFrame):
    theme()
    models = [m for m in MODEL_NAMES if m in set(states["model"])]
    fig, axes = plt.subplots(len(PROBES) + 1, len(models), squeeze=False,
                             figsize=(4.2 * len(models), 3.2 * (len(PROBES) + 1)),
                             constrained_layout=True)
    for col, model in enumerate(models):
        data = states[states["model"] == model]
        for row, (probe, title) in enumerate(PROBES.items()):
            ax = axes[row, col]
            for sequence, path in data[data["probe"] == probe].groupby("sequence"):
                path = path[path["step"] <= SHOWN_STEPS]
                ax.plot(path["h1"], path["h2"], "-o", ms=3, lw=1,
                        color=SEQUENCE_COLORS[sequence], label=sequence)
                end = path.iloc[-1]
                verdict = "right" if end["correct"] else "wrong"
                ax.annotate(f"{sequence}: P(+)={end['p_positive']:.2f} ({verdict})",
                            (end["h1"], end["h2"]), xytext=(4, -10 if sequence == "B" else 4),
                            textcoords="offset points", fontsize=7)
                ax.annotate("start", (path.iloc[0]["h1"], path.iloc[0]["h2"]), fontsize=6,
                            color="0.4")
            ax.set_title(f"{MODEL_NAMES[model]}: {title}", fontsize=8)
            ax.set_xlabel("h1")
            ax.set_ylabel("h2")
            ax.legend(fontsize=7, loc="best")
        ax = axes[len(PROBES), col]
        long = data[data["probe"] == "first_word"]
        for sequence, path in long.groupby("sequence"):
            ax.plot(path["step"], path["p_positive"], color=SEQUENCE_COLORS[sequence],
                    label=f"{sequence} (label {'+' if path['label'].iloc[0] else '−'})")
        held = lengths[(lengths["model"] == model) & (lengths["probe"] == "first_word")]
        longest = int(held["longest_correct"].min())
        ax.axvline(longest, color="0.3", ls="--", lw=0.8)
        ax.axhline(0.5, color="0.7", lw=0.6)
        ax.set_xscale("log")
        ax.set_xlabel("probe length (words)")
        ax.set_ylabel("P(positive)")
        ax.set_title(f"{MODEL_NAMES[model]}: both right up to {longest} words", fontsize=8)
        ax.legend(fontsize=7)
        axes[0, col].annotate(studied(held.iloc[0]), (0, 1.15), xycoords="axes fraction",
                              fontsize=7, color="0.3")
    return fig
