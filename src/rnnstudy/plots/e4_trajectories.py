"""E4 (seed 001 Fig. 2): hidden-state trajectories of the studied models' probe pairs, and
for every candidate how far apart each pair's states are and how long a lone first word is
classified right."""
import matplotlib.pyplot as plt
import pandas as pd

from .selection import studied
from .style import MODEL_COLORS, MODEL_NAMES, theme

SEQUENCE_COLORS = {"A": "#1b9e77", "B": "#d95f02"}
SHOWN_STEPS = 40  # of the one-word probes, the steps drawn as a trajectory
ROWS = 6


def _trajectories(ax, data: pd.DataFrame, probe: str, title: str) -> None:
    """The studied candidate's states (h1, h2) along each pair of `probe` (first_word: pair
    0, every stop stream, the first SHOWN_STEPS words)."""
    rows = data[(data["probe"] == probe) & (data["pair"] == 0) & (data["step"] <= SHOWN_STEPS)]
    streams = rows["stream"].fillna("").unique()
    many = len(streams) > 1
    for (stream, sequence), path in rows.groupby([rows["stream"].fillna(""), "sequence"]):
        ax.plot(path["h1"], path["h2"], "-" if many else "-o", ms=3, lw=0.8 if many else 1,
                alpha=0.5 if many else 1, color=SEQUENCE_COLORS[sequence],
                label=sequence if stream == streams[0] else None)
        end = path.iloc[-1]
        if not many:
            verdict = "right" if end["correct"] else "wrong"
            ax.annotate(f"{sequence}: P(+)={end['p_positive']:.2f} ({verdict})",
                        (end["h1"], end["h2"]), xytext=(4, -10 if sequence == "B" else 4),
                        textcoords="offset points", fontsize=7)
    if len(rows):
        start = rows.iloc[0]
        ax.annotate("start", (start["h1"], start["h2"]), fontsize=6, color="0.4")
    ax.set_title(title, fontsize=8)
    ax.set_xlabel("h1")
    ax.set_ylabel("h2" if "h2" in data else "")
    ax.legend(fontsize=7, loc="best")


def _per_candidate(ax, rows: pd.DataFrame, column: str, model: str) -> None:
    """`column` against the step for every candidate: qualifying ones solid, the others
    dotted, the studied one bold."""
    for (init, selected, reaching), curve in rows.groupby(["init", "selected", "reaching"]):
        ax.plot(curve["step"], curve[column], color=MODEL_COLORS.get(model, "0.3"),
                lw=1.8 if selected else 0.8, ls="-" if reaching else ":",
                alpha=1 if selected else 0.45)


def probe_trajectories(states: pd.DataFrame, lengths: pd.DataFrame, distances: pd.DataFrame,
                       forget_length: int = 30, meet_distance: float = 0.05,
                       meet_from: int = 7):
    theme()
    models = [m for m in MODEL_NAMES if m in set(states["model"])]
    fig, axes = plt.subplots(ROWS, len(models), squeeze=False,
                             figsize=(4.4 * len(models), 3.0 * ROWS), constrained_layout=True)
    for col, model in enumerate(models):
        name = MODEL_NAMES[model]
        data = states[states["model"] == model]
        pairs = lengths[lengths["model"] == model]
        dist = distances[distances["model"] == model]
        qualifying = pairs[pairs["reaching"]]["init"].nunique()
        total = pairs["init"].nunique()

        _trajectories(axes[0, col], data, "stop_prefix",
                      f"{name}: 3 stop words (A) vs pos, neg, stop (B), same tail")

        ax = axes[1, col]
        _per_candidate(ax, dist[dist["probe"] == "stop_prefix"], "distance_max", model)
        ax.axhline(meet_distance, color="0.3", ls="--", lw=0.8)
        ax.axvline(meet_from, color="0.6", ls=":", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("words read")
        ax.set_ylabel("‖h_A − h_B‖, stop-prefix pair")
        ax.set_title(f"{name}: every candidate ({qualifying} of {total} qualify: solid); "
                     f"dashed: meet distance", fontsize=8)

        _trajectories(axes[2, col], data, "first_word",
                      f"{name}: one pos. (A) / neg. (B) word, then stop words "
                      f"(first {SHOWN_STEPS})")

        ax = axes[3, col]
        first = dist[dist["probe"] == "first_word"]
        _per_candidate(ax, first, "distance_min", model)
        ax.axvline(forget_length, color="0.3", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("probe length (words)")
        ax.set_ylabel("smallest ‖h_A − h_B‖, one-word pairs")
        ax.set_title(f"{name}: closest one-word pair (0: forgotten); dashed: forget length",
                     fontsize=8)

        ax = axes[4, col]
        share = first.assign(right=first["pairs_right"] / first["pairs"])
        _per_candidate(ax, share, "right", model)
        ax.axvline(forget_length, color="0.3", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("probe length (words)")
        ax.set_ylabel("one-word pairs with both right")
        stay = pairs[(pairs["probe"] == "first_word") & pairs["reaching"]]
        right = (stay.groupby("init")["right_up_to"].min() == stay["length"].max()).sum()
        ax.set_title(f"{name}: {right} of {qualifying} qualifying candidates right on every "
                     f"pair up to {int(pairs['length'].max())}", fontsize=8)

        _trajectories(axes[5, col], data, "adjacent_swap",
                      f"{name}: equal counts, one adjacent pair swapped")
        swap = pairs[(pairs["probe"] == "adjacent_swap") & pairs["reaching"]]
        both = int((swap["correct_a"] & swap["correct_b"]).sum())
        axes[5, col].annotate(f"qualifying candidates right on both: {both} of {len(swap)}",
                              (0, -0.3), xycoords="axes fraction", fontsize=7, color="0.3")
        axes[0, col].annotate(studied(pairs.iloc[0]), (0, 1.12), xycoords="axes fraction",
                              fontsize=7, color="0.3")
    for ax in axes.flat:
        if not ax.has_data():
            ax.set_visible(False)
    return fig
