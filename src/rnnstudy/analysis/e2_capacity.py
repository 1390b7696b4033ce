"""E2 (seed 001 §V.B, Fig. 5-6): the best and the typical init of each small shape."""
import pandas as pd

from ..naming import shape_label
from .compare import rnn_vs_gru, run_summary
from .verdict import claim, pct


def capacity(table: pd.DataFrame, success: float, tolerance: float) -> dict:
    """Per task and shape, each model's best init and fraction of good inits; claims
    'the RNN's best init reaches the GRU's' and 'good inits are rarer for the RNN'."""
    shapes, groups = {}, {}
    for (task, i, h), group in table.groupby(["task", "input_dim", "hidden_dim"]):
        by_model = {model: run_summary(g, success) for model, g in group.groupby("model")}
        shapes.setdefault(task, {})[shape_label(i, h)] = by_model
        groups[f"{task} {shape_label(i, h)}"] = by_model
    reach, reach_outcomes = rnn_vs_gru(
        groups,
        lambda where, rnn, gru: (f"{where}: best RNN {pct(rnn['best_val_acc'])} vs GRU "
                                 f"{pct(gru['best_val_acc'])}"),
        lambda rnn, gru: rnn["best_val_acc"] >= gru["best_val_acc"] - tolerance)
    rarer, rarer_outcomes = rnn_vs_gru(
        groups,
        lambda where, rnn, gru: (f"{where}: good inits RNN {rnn['successes']}/{rnn['runs']}, "
                                 f"GRU {gru['successes']}/{gru['runs']}"),
        lambda rnn, gru: rnn["success_rate"] < gru["success_rate"])
    return {
        "shapes": shapes,
        "claims": [
            claim("the RNN's best init reaches the GRU's accuracy (similar capacity)",
                  f"per task and shape, the RNN's best validation accuracy is within "
                  f"{pct(tolerance)} of the GRU's best (or above it)", reach, reach_outcomes),
            claim("good inits are rarer for the RNN",
                  f"per task and shape, a smaller fraction of RNN inits than GRU inits reach "
                  f"{pct(success)} validation accuracy", rarer, rarer_outcomes),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return capacity(tables["e2_capacity"], report["success_accuracy"],
                    report["capacity_tolerance"])
