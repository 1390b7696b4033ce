"""E1 (seed 001 §V.A, Fig. 3-4): how often each model trains to success, per task.

Seed 001: "GRU is the clear winner, it succeeds far more than RNN" and "Xor dataset pose
much more harder problem for the RNNs than the First dataset". Both are judged over every
member of the grid (every cell and init), not over single cells.
"""
import pandas as pd

from ..naming import MODEL_NAMES
from .compare import run_summary
from .stats import lower, more_often, p_text, rate_text
from .verdict import claim, pct


def trainability(table: pd.DataFrame, success: float, far_more: float, alpha: float,
                 confidence: float) -> dict:
    """Success rates per task and model, with intervals, and the two claims."""
    runs, rates = {}, {}
    for task, by_task in table.groupby("task"):
        for model, group in by_task.groupby("model"):
            summary = run_summary(group, success, confidence)
            runs.setdefault(task, {})[model] = summary
            rates.setdefault(task, {})[model] = summary["rate"]

    more, more_outcomes = [], []
    for task, by_model in rates.items():
        if not {"rnn", "gru"} <= set(by_model):
            continue
        gru, rnn = by_model["gru"], by_model["rnn"]
        where = f"{task}: GRU {rate_text(gru)}, RNN {rate_text(rnn)}"
        if gru["successes"] + rnn["successes"] == 0:
            more.append(f"{where}: neither succeeds, not testable")
            more_outcomes.append(None)
            continue
        p = more_often(gru, rnn)
        more.append(f"{where}, {p_text(p)}")
        more_outcomes.append(p < alpha and gru["rate"] >= far_more * rnn["rate"])

    harder, harder_outcomes = [], []
    if {"first", "xor"} <= set(runs):
        for model in sorted(set(runs["first"]) & set(runs["xor"])):
            first = table[(table["task"] == "first") & (table["model"] == model)]["val_acc"]
            xor = table[(table["task"] == "xor") & (table["model"] == model)]["val_acc"]
            where = (f"{MODEL_NAMES[model]}: mean accuracy first {pct(first.mean())}, "
                     f"xor {pct(xor.mean())}")
            if runs["first"][model]["successes"] == 0:
                # Nothing learned on first: no difficulty to compare.
                harder.append(f"{where}; no success on first, not testable")
                harder_outcomes.append(None)
                continue
            p = lower(xor, first)
            harder.append(f"{where}, {p_text(p)}")
            harder_outcomes.append(p < alpha)
    return {
        "runs": runs,
        "claims": [
            claim("GRU succeeds in far more cells than RNN",
                  f"per task, over every cell and init: the GRU's rate of runs reaching "
                  f"{pct(success)} validation accuracy is at least {far_more:g}× the RNN's, "
                  f"and a one-sided Fisher exact test gives p < {alpha:g}; not testable "
                  "where neither model succeeds",
                  more, more_outcomes,
                  keys=("report.success_accuracy", "report.e1_trainability.far_more",
                        "report.alpha"), models=len(table)),
            claim("xor is harder than first",
                  f"per model, the validation accuracies of all cells and inits are lower on "
                  f"xor than on first (one-sided Mann–Whitney, p < {alpha:g}); not testable "
                  "for a model that succeeds nowhere on first",
                  harder, harder_outcomes, keys=("report.alpha",), models=len(table)),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return trainability(tables["e1_trainability"], report["success_accuracy"],
                        report["e1_trainability"]["far_more"], report["alpha"],
                        report["confidence"])
