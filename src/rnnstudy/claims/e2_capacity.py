"""E2 (seed 001 §V.B, Fig. 5-6): the best and the typical init of each small shape.

Seed 001: "Vanilla RNN and GRU have the similar capacity" (the RNN's best init reaches
what the GRU reaches) and "good initializations in the Vanilla RNNs are much more rare".
Capacity is judged only where there is something to reach: where the GRU's best init
succeeds. Both claims use every init of a shape.
"""
import pandas as pd

from ..naming import shape_label
from .compare import run_summary
from .stats import more_often, p_text, rate, rate_text
from .verdict import claim, pct


def capacity(table: pd.DataFrame, success: float, tolerance: float, alpha: float,
             confidence: float) -> dict:
    """Per task and shape, each model's best init and rate of good inits; the two claims."""
    shapes = {}
    reach, reach_outcomes, rarer, rarer_outcomes = [], [], [], []
    for (task, i, h), group in table.groupby(["task", "input_dim", "hidden_dim"]):
        by_model = {}
        for model, g in group.groupby("model"):
            by_model[model] = {**run_summary(g, success, confidence),
                               "input_dim": int(i), "hidden_dim": int(h)}
        shapes.setdefault(task, {})[shape_label(i, h)] = by_model
        if not {"rnn", "gru"} <= set(by_model):
            continue
        rnn, gru = by_model["rnn"], by_model["gru"]
        where = f"{task} {shape_label(i, h)}"

        best = f"{where}: best RNN {pct(rnn['best_val_acc'])} vs GRU {pct(gru['best_val_acc'])}"
        if gru["best_val_acc"] < success:
            reach.append(f"{best}; the GRU's best is below {pct(success)}, not testable")
            reach_outcomes.append(None)
        else:
            rnn_acc = group[group["model"] == "rnn"]["val_acc"]
            near = rate(int((rnn_acc >= gru["best_val_acc"] - tolerance).sum()), len(rnn_acc),
                        confidence)
            reach.append(f"{best}; RNN inits within {pct(tolerance)}: {rate_text(near)}")
            reach_outcomes.append(rnn["best_val_acc"] >= gru["best_val_acc"] - tolerance)

        counts = f"{where}: good inits RNN {rate_text(rnn['rate'])}, GRU {rate_text(gru['rate'])}"
        if rnn["successes"] + gru["successes"] == 0:
            rarer.append(f"{counts}; none good, not testable")
            rarer_outcomes.append(None)
        else:
            p = more_often(gru["rate"], rnn["rate"])
            rarer.append(f"{counts}, {p_text(p)}")
            rarer_outcomes.append(p < alpha)
    return {
        "shapes": shapes,
        "claims": [
            claim("the RNN's best init reaches the GRU's accuracy (similar capacity)",
                  f"per task and shape where the GRU's best init reaches {pct(success)}: the "
                  f"RNN's best init is within {pct(tolerance)} of it (or above); not testable "
                  "where the GRU's best is below that", reach, reach_outcomes,
                  keys=("report.success_accuracy", "report.e2_capacity.tolerance"),
                  models=len(table)),
            claim("good inits are rarer for the RNN",
                  f"per task and shape, fewer RNN inits than GRU inits reach {pct(success)} "
                  f"(one-sided Fisher exact test, p < {alpha:g}); not testable where no init "
                  "of either model does", rarer, rarer_outcomes,
                  keys=("report.success_accuracy", "report.alpha"), models=len(table)),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return capacity(tables["e2_capacity"], report["success_accuracy"],
                    report["e2_capacity"]["tolerance"], report["alpha"], report["confidence"])
