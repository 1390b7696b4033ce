"""E7 (seed 001 Fig. 10): retraining after perturbations of size k."""
import matplotlib.pyplot as plt
import pandas as pd

from .selection import studied
from .style import MODEL_NAMES, theme

METRICS = {"val_acc": "validation accuracy", "val_loss": "validation loss",
           "distance": "‖W* − W_epoch‖"}


def perturbation_curves(table: pd.DataFrame):
    """Rows: models; columns: metrics; a line per k (mean over draws, draws faint); the
    dotted black line is W* unperturbed."""
    theme()
    models = [m for m in MODEL_NAMES if m in set(table["model"])]
    scales = sorted(s for s in table["scale"].unique() if s > 0)
    shades = plt.cm.viridis([i / max(1, len(scales) - 1) for i in range(len(scales))])
    colors = dict(zip(scales, shades))
    fig, axes = plt.subplots(len(models), len(METRICS), squeeze=False,
                             figsize=(4.0 * len(METRICS), 3.0 * len(models)),
                             constrained_layout=True)
    for r, model in enumerate(models):
        data = table[table["model"] == model]
        reference = data[(data["scale"] == 0) & (data["epoch"] == 0)].iloc[0]
        for c, (metric, title) in enumerate(METRICS.items()):
            ax = axes[r, c]
            for scale in scales:
                runs = data[data["scale"] == scale]
                for _, run in runs.groupby("draw"):
                    ax.plot(run["epoch"], run[metric], color=colors[scale], alpha=0.2, lw=0.7)
                mean = runs.groupby("epoch")[metric].mean()
                ax.plot(mean.index, mean.to_numpy(), color=colors[scale], lw=1.6,
                        label=f"k={scale:g}")
            if metric != "distance":
                ax.axhline(reference[metric], color="black", ls=":", lw=1.2, label="W*")
            ax.set_title(f"{MODEL_NAMES[model]}: {title}", fontsize=9)
            ax.set_xlabel("epoch of retraining")
        axes[r, 0].annotate(studied(reference), (0, 1.12), xycoords="axes fraction",
                            fontsize=7, color="0.3")
    axes[0, -1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig
