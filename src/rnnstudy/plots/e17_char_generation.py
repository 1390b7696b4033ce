"""E17 (seed 003 Fig. 9-10, Tables 1-2): training curves, the dropout comparison, and what
temperature does to samples."""
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..analysis.e17_char_generation import distinct_fraction, final_bits
from .style import theme

VARIANT_COLORS = {"none": "#7570b3", "between": "#1b9e77", "recurrent": "#d95f02"}
VARIANT_NAMES = {"none": "no dropout", "between": "between layers", "recurrent": "recurrent"}


def variants_in(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["variant"]))


def curves(table: pd.DataFrame):
    """Bits per character and accuracy vs step (the first variant's replicate 0: training
    and validation; every variant: validation, median over replicates), and each
    replicate's final validation bits per variant, replicates joined across variants."""
    theme()
    fig, (loss, accuracy, final) = plt.subplots(1, 3, figsize=(10, 3.4),
                                                constrained_layout=True,
                                                gridspec_kw={"width_ratios": [3, 3, 2]})
    variants = variants_in(table)
    main = table[(table["variant"] == variants[0]) & (table["replicate"] == 0)]
    main = main.sort_values("step")
    trained = main.dropna(subset=["train_bits"])
    color = VARIANT_COLORS[variants[0]]
    loss.plot(trained["step"], trained["train_bits"], color=color, lw=0.9, alpha=0.5,
              label=f"training ({VARIANT_NAMES[variants[0]]}, replicate 0)")
    accuracy.plot(trained["step"], trained["train_accuracy"], color=color, lw=0.9, alpha=0.5,
                  label="training")
    accuracy.plot(main["step"], main["validation_accuracy"], color=color, lw=1.4,
                  label="validation")
    for variant in variants:
        g = table[table["variant"] == variant]
        median = g.groupby("step")["validation_bits"].median()
        loss.plot(median.index, median.to_numpy(), color=VARIANT_COLORS[variant], lw=1.4,
                  label=f"validation, {VARIANT_NAMES[variant]}")
    rate = table["entropy_rate"].dropna()
    if len(rate):
        loss.axhline(rate.iloc[0], color="0.4", ls="--", lw=0.9, label="source entropy rate")
    loss.set_xlabel("training step")
    loss.set_ylabel("bits per character")
    loss.set_ylim(bottom=0)
    loss.legend(fontsize=6)
    accuracy.set_xlabel("training step")
    accuracy.set_ylabel("next-character accuracy")
    accuracy.set_ylim(0, 1)
    accuracy.legend(fontsize=6)

    last = final_bits(table)
    positions = {v: i for i, v in enumerate(variants)}
    for _, g in last.groupby("replicate"):
        g = g.sort_values("variant", key=lambda s: s.map(positions))
        final.plot(g["variant"].map(positions), g["validation_bits"], color="0.7", lw=0.7,
                   zorder=1)
    for variant in variants:
        g = last[last["variant"] == variant]
        final.scatter(np.full(len(g), positions[variant]), g["validation_bits"], s=14,
                      color=VARIANT_COLORS[variant], zorder=2)
    final.set_xticks(range(len(variants)), variants, fontsize=7)
    final.set_xlim(-0.5, len(variants) - 0.5)
    final.set_ylabel("final validation bits per character")
    final.set_xlabel("dropout")
    final.set_title("lines join replicates", fontsize=8)
    return fig


def sampling(measures: pd.DataFrame, ngram: int):
    """Per temperature (greedy first): the samples' mean log2-probability, the entropy of
    their sampling distributions and their fraction of distinct n-grams, one box per
    temperature (the first variant's samples, all replicates)."""
    theme()
    variant = variants_in(measures)[0]
    g = measures[measures["variant"] == variant].copy()
    g["distinct"] = g["text"].map(lambda s: distinct_fraction(json.loads(s), ngram))
    temperatures = sorted(g["temperature"].unique())
    labels = ["greedy" if t == 0 else f"T = {t:g}" for t in temperatures]
    scorer = g["scorer"].iloc[0] if len(g) else "source"
    panels = [("log2_prob", f"mean log2-probability under the {scorer}"),
              ("entropy", "entropy of the sampling distribution (bits)"),
              ("distinct", f"distinct {ngram}-grams / {ngram}-grams")]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), constrained_layout=True)
    for ax, (column, label) in zip(axes, panels, strict=True):
        values = [g[g["temperature"] == t][column].dropna().to_numpy() for t in temperatures]
        ax.boxplot(values, tick_labels=labels, widths=0.5, showfliers=True,
                   flierprops={"markersize": 2}, medianprops={"color": VARIANT_COLORS[variant]})
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    return fig
