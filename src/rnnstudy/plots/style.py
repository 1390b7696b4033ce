"""Shared figure conventions and the one way figures are written."""
import matplotlib.pyplot as plt
import seaborn as sns

from ..atomic import atomic_path
from ..naming import MODEL_NAMES, shape_label  # noqa: F401 (re-exported for plots)

MODEL_COLORS = {"rnn": "#d95f02", "rnn_relu": "#e7298a", "gru": "#1b9e77", "lstm": "#7570b3"}


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

