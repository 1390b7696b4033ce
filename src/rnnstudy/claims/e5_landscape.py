"""E5's claim (seed 001 §VI.A): the RNN's and the GRU's accuracy distributions over
untrained settings are alike."""
import numpy as np
import pandas as pd

from ..analysis.e5_landscape import weighted_quantiles
from ..naming import shape_label
from .stats import differ, rate, rate_text
from .verdict import claim, pct


def ks_distance(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Kolmogorov–Smirnov distance between two accuracy histograms."""
    grid = np.union1d(a["accuracy"], b["accuracy"])

    def cdf(h):
        cum = np.cumsum(h["settings"].to_numpy()) / h["settings"].sum()
        at = np.searchsorted(h["accuracy"].to_numpy(), grid, "right")
        return np.concatenate([[0.0], cum])[at]

    return float(np.abs(cdf(a) - cdf(b)).max())


def landscape_numbers(table: pd.DataFrame, ks_alike: float, tails: list[float],
                      tail_ratio: float, alpha: float, confidence: float) -> dict:
    """Are the RNN's and the GRU's accuracy distributions over random settings alike, in
    bulk (KS distance) and in the upper tails the seed's inference is about ("roughly equal
    number of solutions")?"""
    shapes = {}
    alike, alike_outcomes = [], []
    for (i, h), group in table.groupby(["input_dim", "hidden_dim"]):
        by_model = {}
        for model, hist in group.groupby("model"):
            acc, weights = hist["accuracy"].to_numpy(), hist["settings"].to_numpy()
            q = weighted_quantiles(acc, weights, (0.5, 0.99))
            total = int(weights.sum())
            by_model[model] = {
                "settings": total, "mean": float(np.average(acc, weights=weights)),
                "median": float(q[0]), "p99": float(q[1]), "max": float(acc.max()),
                "tails": {f"{t:g}": {**rate(int(weights[acc >= t].sum()), total, confidence),
                                     "threshold": t} for t in tails}}
        entry = {"models": by_model, "input_dim": int(i), "hidden_dim": int(h)}
        if {"rnn", "gru"} <= set(by_model):
            rnn, gru = by_model["rnn"], by_model["gru"]
            ks = ks_distance(group[group["model"] == "rnn"], group[group["model"] == "gru"])
            entry["ks"] = ks
            tail_texts, tails_alike = [], []
            for key in rnn["tails"]:
                a, b = rnn["tails"][key], gru["tails"][key]
                text = f"≥ {pct(float(key))}: RNN {rate_text(a)}, GRU {rate_text(b)}"
                if a["successes"] + b["successes"] == 0:
                    continue  # no setting of either model reaches it: no evidence
                small, large = sorted((a["rate"], b["rate"]))
                # A tail only one model reaches is alike if the counts cannot tell them apart.
                same = large <= tail_ratio * small if small > 0 else differ(a, b) >= alpha
                tails_alike.append(same)
                tail_texts.append(f"{text} ({'alike' if same else 'not alike'})")
            reached = "; ".join(tail_texts) or f"no setting reaches {pct(min(tails))}"
            alike.append(f"{shape_label(i, h)}: KS distance {ks:.3f}; {reached}")
            alike_outcomes.append(ks <= ks_alike and all(tails_alike))
        shapes[shape_label(i, h)] = entry
    tail_list = ", ".join(pct(t) for t in tails)
    return {
        "shapes": shapes,
        "claims": [claim("the RNN's and the GRU's distributions over untrained settings are alike",
                         f"per shape, the Kolmogorov–Smirnov distance of the two accuracy "
                         f"distributions is at most {ks_alike:g} and, at each of {tail_list} "
                         f"that either model reaches, the fractions of settings at or above it "
                         f"are within a factor {tail_ratio:g} of each other (where one is 0: a "
                         f"two-sided Fisher exact test finds no difference at {alpha:g})",
                         alike, alike_outcomes,
                         keys=("report.e5_landscape.ks_alike", "report.e5_landscape.tails",
                               "report.e5_landscape.tail_ratio", "report.alpha"),
                         models=int(table["settings"].sum()), unit="untrained settings")],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    criteria = report["e5_landscape"]
    return landscape_numbers(tables["e5_landscape_histogram"], criteria["ks_alike"],
                             criteria["tails"], criteria["tail_ratio"], report["alpha"],
                             report["confidence"])
