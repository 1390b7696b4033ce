"""E6 (seed 001 §VI.B, eq. 7, Fig. 9): cosine of each epoch's update with the run's update.

cos(t) = (W_N − W_0)·(W_t − W_{t−1}) / (‖W_N − W_0‖ ‖W_t − W_{t−1}‖), t = 1 … N, with W_t
a member's flattened parameters after epoch t and N the epochs it trained.
"""
import numpy as np
import pandas as pd
import torch

from ..naming import shape_label
from .compare import rnn_vs_gru, studied_result

EARLY_EPOCHS = 3  # "early" epochs


def update_cosine(trajectory: torch.Tensor) -> torch.Tensor:
    """trajectory [N+1, D] (W_0 … W_N) → cos(t) for t = 1 … N, as [N] (float64)."""
    w = trajectory.to(torch.float64)
    whole = w[-1] - w[0]
    steps = w[1:] - w[:-1]
    return (steps @ whole) / (steps.norm(dim=1) * whole.norm()).clamp_min(1e-300)


def roughness(cosine: torch.Tensor) -> float:
    """Mean |cos(t) − cos(t−1)|: 0 for a smooth curve."""
    return float((cosine[1:] - cosine[:-1]).abs().mean()) if len(cosine) > 1 else 0.0


def cosine_numbers(curves: pd.DataFrame) -> dict:
    """E6: is the GRU's cosine curve smoother, and does it rise more steeply early?"""
    studied, everyone = {}, {}
    for (model, i, h), group in curves.groupby(["model", "input_dim", "hidden_dim"]):
        name = f"{model} {shape_label(i, h)}"
        per_init = {}
        for init, curve in group.groupby("init"):
            cosine = torch.tensor(curve.sort_values("epoch")["cosine"].to_numpy())
            per_init[init] = {"roughness": roughness(cosine),
                              "early": float(cosine[:EARLY_EPOCHS].mean()),
                              "epochs": len(cosine),
                              "reached": bool(curve["final_val_acc"].iloc[0]
                                              >= curve["min_val_acc"].iloc[0])}
        chosen = int(group["selected_init"].iloc[0])
        studied[name] = per_init[chosen]
        reached = [v for v in per_init.values() if v["reached"]]
        everyone[name] = {"members": len(reached), **{
            f"median_{key}": float(np.median([v[key] for v in reached])) if reached else None
            for key in ("roughness", "early")}}
    shapes = sorted(set(zip(curves["input_dim"], curves["hidden_dim"])))
    groups = {shape_label(i, h): {m: studied.get(f"{m} {shape_label(i, h)}")
                                  for m in ("rnn", "gru")} for i, h in shapes}
    smooth, smooth_outcomes = rnn_vs_gru(
        groups,
        lambda where, rnn, gru: (f"{where}: roughness GRU {gru['roughness']:.3f}, "
                                 f"RNN {rnn['roughness']:.3f}"),
        lambda rnn, gru: gru["roughness"] < rnn["roughness"])
    early, early_outcomes = rnn_vs_gru(
        groups,
        lambda where, rnn, gru: (f"{where}: mean cosine of epochs 1-{EARLY_EPOCHS} "
                                 f"GRU {gru['early']:.3f}, RNN {rnn['early']:.3f}"),
        lambda rnn, gru: gru["early"] > rnn["early"])
    return studied_result(curves, {"studied": studied, "all_reaching": everyone}, [
        ("the GRU's cosine curve is smoother than the RNN's",
         "per shape, the studied GRU's mean |cos(t) − cos(t−1)| is below the RNN's",
         smooth, smooth_outcomes),
        ("the GRU's curve rises steeply early",
         f"per shape, the studied GRU's mean cosine over epochs 1-{EARLY_EPOCHS} is "
         "above the RNN's", early, early_outcomes),
    ])


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return cosine_numbers(tables["e6_update_cosine_curves"])
