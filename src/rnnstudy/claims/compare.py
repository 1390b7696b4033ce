"""What the claims of several experiments share: run summaries, the studied members, and
comparisons of the RNN with the GRU."""
from collections.abc import Callable

import pandas as pd

from ..naming import shape_label
from .stats import rate
from .verdict import claim, pct


def run_summary(frame: pd.DataFrame, success: float, confidence: float) -> dict:
    """Counts and accuracies of a group of trained members (rows of a members table), with
    the success rate's exact interval."""
    acc = frame["val_acc"]
    return {"rate": rate(int((acc >= success).sum()), len(acc), confidence),
            "runs": int(len(acc)), "successes": int((acc >= success).sum()),
            "success_rate": float((acc >= success).mean()), "mean_val_acc": float(acc.mean()),
            "median_val_acc": float(acc.median()), "best_val_acc": float(acc.max()),
            "mean_test_acc": float(frame["test_acc"].mean()),
            "diverged": int(frame["diverged"].sum())}


def rnn_vs_gru(groups: dict, describe: Callable[[str, dict, dict], str],
               outcome: Callable[[dict, dict], bool]) -> tuple[list[str], list[bool]]:
    """For every group (where → {model: result}) holding both an RNN and a GRU result: what
    `describe(where, rnn, gru)` says and whether `outcome(rnn, gru)` holds."""
    measured, outcomes = [], []
    for where, by_model in groups.items():
        if by_model.get("rnn") is not None and by_model.get("gru") is not None:
            measured.append(describe(where, by_model["rnn"], by_model["gru"]))
            outcomes.append(outcome(by_model["rnn"], by_model["gru"]))
    return measured, outcomes


def selections(table: pd.DataFrame) -> dict:
    """Per model and shape of a selection experiment's table: which candidate was studied
    and whether it met the bar."""
    keys = ["model", "input_dim", "hidden_dim"]
    columns = ["selected_init", "selected_val_acc", "min_val_acc", "threshold_reached",
               "candidates_reaching", "candidates"]
    out = {}
    for (model, i, h), group in table.groupby(keys):
        row = group.iloc[0]
        out[f"{model} {shape_label(i, h)}"] = {
            "model": model, "shape": shape_label(i, h),
            **{c: (row[c].item() if hasattr(row[c], "item") else row[c]) for c in columns}}
    return out


def below_threshold(selections: dict) -> list[str]:
    """A note per studied member that fell short of the threshold (the best was studied)."""
    return [f"{name}: no candidate reached {pct(s['min_val_acc'])} "
            f"(best {pct(s['selected_val_acc'])})"
            for name, s in selections.items() if not s["threshold_reached"]]


def studied_result(table: pd.DataFrame, numbers: dict, claims: list[tuple]) -> dict:
    """A selection experiment's result: its `numbers`, the members it studied (from its
    `table`) and its claims, (claim, criterion, measured, outcomes[, keys, models]) each,
    whose measured values note every studied member that fell short of the threshold."""
    chosen = selections(table)
    note = below_threshold(chosen)
    return {**numbers, "selections": chosen,
            "claims": [claim(text, criterion, measured + note, outcomes, *keys_and_models)
                       for text, criterion, measured, outcomes, *keys_and_models in claims]}
