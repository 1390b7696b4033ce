"""Seed 001's "trained to ≥ X% validation accuracy": pick one trained member per cell.

The lowest init reaching the threshold is taken. If none does, the best one is taken and
marked `threshold_reached = False`: the report says so, the figure shows what was reached.
"""
import pandas as pd


def select_member(final: pd.DataFrame, min_val_acc: float) -> dict:
    """From a cell's final.csv: the studied init, its accuracy and whether it met the bar."""
    reached = final[final["val_acc"] >= min_val_acc]
    if len(reached):
        row = reached.sort_values("init").iloc[0]
    else:
        row = final.sort_values(["val_acc", "init"], ascending=[False, True]).iloc[0]
    return {"selected_init": int(row["init"]), "selected_val_acc": float(row["val_acc"]),
            "min_val_acc": float(min_val_acc), "threshold_reached": bool(len(reached) > 0),
            "candidates_reaching": int(len(reached)), "candidates": int(len(final))}
