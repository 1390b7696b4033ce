"""E7 (seed 001 Fig. 10): retraining after perturbations of size k, over every candidate
perturbed."""
import matplotlib.pyplot as plt
import pandas as pd

from .style import MODEL_NAMES, shape_label, theme

METRICS = {"val_acc": "validation accuracy", "val_loss": "validation loss",
           "distance": "‖W* − W_epoch‖"}


def _runs(data: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The runs drawn: those of candidates reaching min_val_acc, else (none reached) the
    best candidate's; and a note saying which."""
    reached = data[data["init_val_acc"] >= data["min_val_acc"]]
    draws = data.loc[data["scale"] > 0, "draw"].nunique()
    row = data.iloc[0]
    name = f"{MODEL_NAMES[row['model']]} {shape_label(row['input_dim'], row['hidden_dim'])}"
    if len(reached):
        return reached, (f"{name}: {reached['init'].nunique()} candidates ≥ "
                         f"{row['min_val_acc'] * 100:.0f}% ({row['candidates_reaching']} of "
                         f"{row['candidates']} reached it) × {draws} draws")
    return data, (f"{name}: no candidate reached {row['min_val_acc'] * 100:.0f}%; the best "
                  f"(init {row['selected_init']}, {row['selected_val_acc'] * 100:.1f}%) "
                  f"× {draws} draws")


def perturbation_curves(table: pd.DataFrame):
    """Rows: model and shape; columns: metrics. A line per k: the mean over the candidates
    reaching min_val_acc × draws, the band their 25-75% range; grey: W* itself retrained;
    the dotted black line is W* unperturbed (median over the candidates)."""
    theme()
    cells = [(m, i, h) for m in MODEL_NAMES
             for i, h in sorted(set(zip(table["input_dim"], table["hidden_dim"])))
             if ((table["model"] == m) & (table["input_dim"] == i)
                 & (table["hidden_dim"] == h)).any()]
    scales = sorted(s for s in table["scale"].unique() if s > 0)
    shades = plt.cm.viridis([i / max(1, len(scales) - 1) for i in range(len(scales))])
    colors = dict(zip(scales, shades))
    fig, axes = plt.subplots(len(cells), len(METRICS), squeeze=False,
                             figsize=(4.0 * len(METRICS), 3.0 * len(cells)),
                             constrained_layout=True)
    for r, (model, i, h) in enumerate(cells):
        data, note = _runs(table[(table["model"] == model) & (table["input_dim"] == i)
                                 & (table["hidden_dim"] == h)])
        reference = data[(data["scale"] == 0) & (data["epoch"] == 0)]
        for c, (metric, title) in enumerate(METRICS.items()):
            ax = axes[r, c]
            for scale in [0.0, *scales]:
                by_epoch = data[data["scale"] == scale].groupby("epoch")[metric]
                color = colors.get(scale, "0.55")
                label = f"k={scale:g}" if scale else "W* retrained"
                mean = by_epoch.mean()
                ax.plot(mean.index, mean.to_numpy(), color=color, lw=1.6 if scale else 1.0,
                        label=label)
                if scale:
                    ax.fill_between(mean.index, by_epoch.quantile(0.25).to_numpy(),
                                    by_epoch.quantile(0.75).to_numpy(), color=color, alpha=0.15,
                                    lw=0)
            if metric != "distance":
                ax.axhline(reference[metric].median(), color="black", ls=":", lw=1.2,
                           label="W*")
            ax.set_title(f"{MODEL_NAMES[model]} {shape_label(i, h)}: {title}", fontsize=9)
            ax.set_xlabel("epoch of retraining")
        axes[r, 0].annotate(note, (0, 1.12), xycoords="axes fraction", fontsize=7, color="0.3")
    axes[0, -1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig
