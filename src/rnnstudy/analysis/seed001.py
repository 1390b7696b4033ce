"""Numbers and verdicts for the seed-001 experiments, computed from their tables."""
import pandas as pd

from ..naming import MODEL_NAMES, shape_label
from .verdict import claim, pct


def _runs(frame: pd.DataFrame, success: float) -> dict:
    acc = frame["val_acc"]
    return {"runs": int(len(acc)), "successes": int((acc >= success).sum()),
            "success_rate": float((acc >= success).mean()), "mean_val_acc": float(acc.mean()),
            "median_val_acc": float(acc.median()), "best_val_acc": float(acc.max()),
            "mean_test_acc": float(frame["test_acc"].mean()),
            "diverged": int(frame["diverged"].sum())}


def trainability(table: pd.DataFrame, success: float) -> dict:
    """E1: success counts per task and model; claims 'GRU succeeds in far more cells than
    RNN' and 'xor is harder than first'."""
    runs = {task: {model: _runs(g, success) for model, g in by_task.groupby("model")}
            for task, by_task in table.groupby("task")}
    more, more_outcomes = [], []
    for task, by_model in runs.items():
        if {"rnn", "gru"} <= set(by_model):
            gru, rnn = by_model["gru"], by_model["rnn"]
            more.append(f"{task}: GRU {gru['successes']}/{gru['runs']}, "
                        f"RNN {rnn['successes']}/{rnn['runs']}")
            more_outcomes.append(gru["successes"] > rnn["successes"]
                                 and gru["successes"] >= 2 * rnn["successes"])
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


def capacity(table: pd.DataFrame, success: float, tolerance: float) -> dict:
    """E2: per task and shape, each model's best init and fraction of good inits; claims
    'the RNN's best init reaches the GRU's' and 'good inits are rarer for the RNN'."""
    shapes = {}
    reach, reach_outcomes, rarer, rarer_outcomes = [], [], [], []
    for (task, i, h), group in table.groupby(["task", "input_dim", "hidden_dim"]):
        by_model = {model: _runs(g, success) for model, g in group.groupby("model")}
        shapes.setdefault(task, {})[shape_label(i, h)] = by_model
        if not {"rnn", "gru"} <= set(by_model):
            continue
        rnn, gru = by_model["rnn"], by_model["gru"]
        where = f"{task} {shape_label(i, h)}"
        reach.append(f"{where}: best RNN {pct(rnn['best_val_acc'])} vs GRU "
                     f"{pct(gru['best_val_acc'])}")
        reach_outcomes.append(rnn["best_val_acc"] >= gru["best_val_acc"] - tolerance)
        rarer.append(f"{where}: good inits RNN {rnn['successes']}/{rnn['runs']}, "
                     f"GRU {gru['successes']}/{gru['runs']}")
        rarer_outcomes.append(rnn["success_rate"] < gru["success_rate"])
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
