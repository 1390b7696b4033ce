"""E1 (seed 001 §V.A, Fig. 3-4): how often each model trains to success, per task."""
import pandas as pd

from ..naming import MODEL_NAMES
from .compare import rnn_vs_gru, run_summary
from .verdict import claim, pct


def trainability(table: pd.DataFrame, success: float) -> dict:
    """Success counts per task and model; claims 'GRU succeeds in far more cells than RNN'
    and 'xor is harder than first'."""
    runs = {task: {model: run_summary(g, success) for model, g in by_task.groupby("model")}
            for task, by_task in table.groupby("task")}
    more, more_outcomes = rnn_vs_gru(
        runs,
        lambda task, rnn, gru: (f"{task}: GRU {gru['successes']}/{gru['runs']}, "
                                f"RNN {rnn['successes']}/{rnn['runs']}"),
        lambda rnn, gru: (gru["successes"] > rnn["successes"]
                          and gru["successes"] >= 2 * rnn["successes"]))
    harder, harder_outcomes = [], []
    if {"first", "xor"} <= set(runs):
        for model in sorted(set(runs["first"]) & set(runs["xor"])):
            first, xor = runs["first"][model]["mean_val_acc"], runs["xor"][model]["mean_val_acc"]
            harder.append(f"{MODEL_NAMES[model]}: mean accuracy first {pct(first)}, "
                          f"xor {pct(xor)}")
            harder_outcomes.append(xor < first)
    return {
        "runs": runs,
        "claims": [
            claim("GRU succeeds in far more cells than RNN",
                  f"per task, GRU runs reaching {pct(success)} validation accuracy are more "
                  "than RNN runs and at least twice as many",
                  more, more_outcomes),
            claim("xor is harder than first",
                  "per model, the mean validation accuracy over all cells and inits is lower "
                  "on xor than on first", harder, harder_outcomes),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return trainability(tables["e1_trainability"], report["success_accuracy"])
