"""E18 (seeds 004 and 002, after Greff et al. 2017 and Gers et al. 2000): LSTM variants.

Seed 004: a positive forget-gate bias keeps gradients from vanishing and "helps learn
long-range dependencies" (seed 002: "initialize forget gates with high bias"); after Greff et
al., "coupling gates and removing peephole connections simplified the LSTM without hurting
performance much" and "the forget gate … [is] crucial". A run's accuracy is its evaluation
accuracy when it stopped (at convergence, or after the last step); every run counts.
"""
import numpy as np
import pandas as pd

from .stats import p_text, paired_lower, paired_test_can_reject
from .verdict import claim


def _accuracies(runs: pd.DataFrame, task: str, length: int, model: str,
                bias: float | None) -> pd.Series:
    rows = runs[(runs["task"] == task) & (runs["length"] == length) & (runs["model"] == model)]
    rows = rows[rows["forget_bias"].isna()] if bias is None else rows[rows["forget_bias"] == bias]
    return rows.set_index("replicate")["final_accuracy"].sort_index()


def _summary(values: pd.Series) -> str:
    return f"median {np.median(values):.3f} ({len(values)} runs)" if len(values) else "no runs"


def _higher(runs: pd.DataFrame, better: tuple, worse: tuple, alpha: float,
            names: tuple[str, str]) -> tuple[list, list]:
    """At each task's longest length: does each replicate of `better` (model, bias) end more
    accurate than the same replicate (the same sequences) of `worse` (one-sided Wilcoxon
    signed-rank test of the pairs)?"""
    measured, outcomes = [], []
    for task, g in runs.groupby("task", sort=False):
        length = int(g["length"].max())
        a = _accuracies(runs, task, length, *better)
        b = _accuracies(runs, task, length, *worse)
        pairs = a.index.intersection(b.index)
        if not len(pairs):
            continue
        text = (f"{task}, T = {length}: {names[0]} {_summary(a)}, {names[1]} {_summary(b)}")
        if not paired_test_can_reject(len(pairs), alpha):
            measured.append(f"{text}: too few replicates for a test")
            outcomes.append(None)
        else:
            p = paired_lower(b.loc[pairs], a.loc[pairs])
            measured.append(f"{text}, Wilcoxon {p_text(p)}")
            outcomes.append(p < alpha)
    return measured, outcomes


def _alike(runs: pd.DataFrame, variant: str, tolerance: float) -> tuple[list, list]:
    """Per task × length × forget bias: the variant's mean accuracy within `tolerance` of the
    LSTM's (the same replicates: the same sequences; the peephole LSTM also the same start)."""
    measured, outcomes = [], []
    keys = runs[runs["model"] == variant][["task", "length", "forget_bias"]].drop_duplicates()
    for task, length, bias in keys.itertuples(index=False):
        bias = None if pd.isna(bias) else float(bias)
        a = _accuracies(runs, task, int(length), variant, bias)
        b = _accuracies(runs, task, int(length), "lstm", bias)
        if not len(a) or not len(b):
            continue
        gap = float(a.mean() - b.mean())
        measured.append(f"{task}, T = {length}, bias {bias:g}: {variant} {a.mean():.3f} vs "
                        f"lstm {b.mean():.3f} (difference {gap:+.3f})")
        outcomes.append(abs(gap) <= tolerance)
    return measured, outcomes


def lstm_variants(runs: pd.DataFrame, criteria: dict, alpha: float) -> dict:
    reference = float(criteria["reference_bias"])
    tolerance = criteria["alike"]
    table = {}
    for r in (runs.groupby(["task", "length", "model", "forget_bias"], sort=False,
                           dropna=False)
              .agg(runs=("replicate", "count"), successes=("converged", "sum"),
                   diverged=("diverged", "sum"), accuracy=("final_accuracy", "mean"),
                   accuracy_low=("final_accuracy", "min"),
                   accuracy_high=("final_accuracy", "max"))
              .reset_index().itertuples()):
        bias = "none" if pd.isna(r.forget_bias) else f"{r.forget_bias:g}"
        table.setdefault(r.task, {}).setdefault(str(int(r.length)), {})[f"{r.model} {bias}"] = {
            "runs": int(r.runs), "successes": int(r.successes), "diverged": int(r.diverged),
            "accuracy": float(r.accuracy), "low": float(r.accuracy_low),
            "high": float(r.accuracy_high)}
    bias, bias_outcomes = _higher(runs, ("lstm", 1.0), ("lstm", 0.0), alpha,
                                  ("forget bias 1", "forget bias 0"))
    alike, alike_outcomes = [], []
    for variant in ("lstm_cifg", "lstm_peephole"):
        m, o = _alike(runs, variant, tolerance)
        alike += m
        alike_outcomes += o
    forget, forget_outcomes = _higher(runs, ("lstm", reference), ("lstm_nf", None), alpha,
                                      (f"LSTM (forget bias {reference:g})", "no forget gate"))
    counted = dict(models=len(runs), unit="training runs")
    return {
        "accuracy": table,
        "runs": len(runs),
        "diverged": int(runs["diverged"].sum()),
        "claims": [
            claim("a forget-gate bias of 1 helps long dependencies",
                  "at each task's longest length, LSTM runs with forget bias 1 end more "
                  "accurate than the same replicates with bias 0 (one-sided Wilcoxon "
                  f"signed-rank test, p < {alpha:g})",
                  bias, bias_outcomes, keys=("report.alpha",), **counted),
            claim("CIFG and peepholes change little",
                  "at each task, length and forget bias, the CIFG's and the peephole LSTM's "
                  f"mean accuracy is within {tolerance:g} of the standard LSTM's",
                  alike, alike_outcomes, keys=("report.e18_lstm_variants.alike",), **counted),
            claim("removing the forget gate hurts",
                  "at each task's longest length, the standard LSTM (forget bias "
                  f"{reference:g}) ends more accurate than the LSTM without a forget gate on "
                  f"the same sequences (one-sided Wilcoxon signed-rank test of the "
                  f"replicates, p < {alpha:g})", forget, forget_outcomes,
                  keys=("report.e18_lstm_variants.reference_bias", "report.alpha"),
                  **counted),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return lstm_variants(tables["e18_lstm_variants_runs"], report["e18_lstm_variants"],
                         report["alpha"])
