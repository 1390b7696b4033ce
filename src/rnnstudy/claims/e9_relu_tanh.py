"""E9 (seed 000 §IV.B, Collins et al. 2017 Fig. 2a): what lowers the IRNN's capacity.

Seed 000: "when we train network using IRNN which has identity initialization of weight
matrix and relu as activation function, we can observe decrease in capacity ... RNN-relu is
giving reduced capacity. So we can conclude that IRNN is giving reduced capacity because of
Relu." Collins et al.: IRNN and ReLU variants about 3.5 bits per parameter. Every depth and
budget of E8's grid counts, paired.
"""
import pandas as pd

from .stats import median_interval, median_text, p_text, paired_lower, paired_test_can_reject
from .verdict import claim

NAMES = {"rnn": "tanh RNN", "rnn_relu": "ReLU RNN", "irnn": "IRNN"}


def _lower(by: pd.Series, low: str, high: str, alpha: float) -> tuple[str, bool | None]:
    if low not in by.index.get_level_values(0) or high not in by.index.get_level_values(0):
        return f"{NAMES[low]} or {NAMES[high]} not in the grid", None
    a, b = by.loc[low], by.loc[high]
    common = a.index.intersection(b.index)
    text = (f"{NAMES[low]} below the {NAMES[high]} at {int((a[common] < b[common]).sum())}/"
            f"{len(common)} points (median ratio {(a[common] / b[common]).median():.2f})")
    if not paired_test_can_reject(len(common), alpha):
        return f"{text}: too few points for a test", None
    p = paired_lower(a[common], b[common])
    return f"{text}, {p_text(p)}", p < alpha


def relu_tanh(table: pd.DataFrame, criteria: dict, alpha: float, confidence: float) -> dict:
    by = table.set_index(["model", "layers", "budget"])["bits_per_param"]
    measured, outcomes = [], []
    for low, high in (("irnn", "rnn"), ("rnn_relu", "rnn")):
        text, outcome = _lower(by, low, high, alpha)
        measured.append(text)
        outcomes.append(outcome)
    models = set(by.index.get_level_values(0))
    if {"irnn", "rnn_relu"} <= models:
        a, b = by.loc["irnn"], by.loc["rnn_relu"]
        common = a.index.intersection(b.index)
        gap = (a[common] / b[common] - 1).abs()
        measured.append(f"IRNN vs ReLU RNN: median |ratio − 1| {gap.median():.3f} over "
                        f"{len(common)} points")
        outcomes.append(bool(gap.median() <= criteria["alike"]) if len(common) else None)
    else:
        measured.append("IRNN or ReLU RNN not in the grid")
        outcomes.append(None)

    low, high = criteria["relu_about"]
    medians, about, about_outcomes = {}, [], []
    for model in ("rnn", "rnn_relu", "irnn"):
        if model in models:
            medians[model] = median_interval(by.loc[model], confidence)
            if model != "rnn":
                about.append(f"{NAMES[model]} {median_text(medians[model])}")
                about_outcomes.append(low <= medians[model]["median"] <= high)
    return {
        "medians": medians,
        "claims": [
            claim("the ReLU, not the identity init, lowers the IRNN's capacity",
                  "over E8's depths × budgets: the IRNN and the ReLU RNN each store fewer bits "
                  f"per parameter than the tanh RNN (one-sided paired Wilcoxon, p < {alpha:g}), "
                  "and the IRNN and the ReLU RNN (which differ only by the init) store alike "
                  f"(median |IRNN / ReLU RNN − 1| ≤ {criteria['alike']:g})",
                  measured, outcomes, keys=("report.alpha", "report.e9_relu_tanh.alike"),
                  models=len(table), unit="E8 points"),
            claim(f"IRNN and ReLU RNN store about {(low + high) / 2:g} bits per parameter",
                  f"each one's median bits per parameter over depths and budgets lies in "
                  f"[{low:g}, {high:g}]", about, about_outcomes,
                  keys=("report.e9_relu_tanh.relu_about",), models=len(table),
                  unit="E8 points"),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return relu_tanh(tables["e9_relu_tanh_comparison"], report["e9_relu_tanh"],
                     report["alpha"], report["confidence"])
