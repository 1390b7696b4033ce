"""Shared figure conventions and the one way figures are written."""
import matplotlib.pyplot as plt
import seaborn as sns

from ..atomic import atomic_path
from ..naming import MODEL_NAMES, shape_label  # noqa: F401 (re-exported for plots)

MODEL_COLORS = {"rnn": "#d95f02", "rnn_relu": "#e7298a", "irnn": "#a6761d", "ugrnn": "#66a61e",
                "gru": "#1b9e77", "lstm": "#7570b3", "lstm_peephole": "#386cb0",
                "lstm_cifg": "#e6ab02", "lstm_nf": "#666666"}


def models_in(table) -> list[str]:
    """The table's models in the paper's order."""
    return [m for m in MODEL_NAMES if m in set(table["model"])]


def range_bars(ax, x, mid, low, high, model: str, label: str | None = None, **style) -> None:
    """A model's points with the range of its replicates as error bars."""
    ax.errorbar(x, mid, yerr=[mid - low, high - mid], fmt="-o", ms=3.5, capsize=2, lw=1.2,
                color=MODEL_COLORS[model], label=label, **style)


def theme() -> None:
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.0)


def save_figure(figure, png_path: str, pdf_path: str, dpi: int = 150) -> None:
    """Write PNG and PDF atomically, without timestamps (same figure, same bytes)."""
    with atomic_path(png_path) as tmp:
        figure.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    with atomic_path(pdf_path) as tmp:
        figure.savefig(tmp, format="pdf", bbox_inches="tight",
                       metadata={"CreationDate": None, "ModDate": None, "Producer": None})
    plt.close(figure)

