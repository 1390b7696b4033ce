"""E11 (seed 000 Fig. 9-10): error on the random teacher's function vs parameters."""
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FormatStrFormatter

from .style import MODEL_NAMES, models_in, range_bars, theme


def error_vs_parameters(errors: pd.DataFrame, teacher_parameters: int | None = None):
    theme()
    fig, ax = plt.subplots(figsize=(5.2, 3.6), constrained_layout=True)
    for model in models_in(errors):
        g = errors[errors["model"] == model].sort_values("parameters")
        range_bars(ax, g["parameters"], g["error"], g["error_low"], g["error_high"], model,
                   MODEL_NAMES[model])
    if teacher_parameters:
        ax.axvline(teacher_parameters, color="0.7", lw=0.8, ls="--")
        ax.annotate("teacher's size", (teacher_parameters, 1), xycoords=("data", "axes fraction"),
                    fontsize=6, color="0.4", ha="right", va="top", rotation=90)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FormatStrFormatter("%.2g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%.2g"))
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel("error (MSE / target mean square)")
    ax.legend(fontsize=7)
    return fig
