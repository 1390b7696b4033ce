"""E7's claims (seed 001 §VI.C): the GRU recovers (~90% at k = 1), the RNN less; the
weights do not return to W*."""
import pandas as pd

from ..naming import MODEL_NAMES
from .compare import studied_result
from .verdict import pct


def perturbation_numbers(retraining: pd.DataFrame, recover: float = 0.85,
                         returned: float = 0.5) -> dict:
    """E7: does the GRU recover to ~90% at k = 1 (the RNN less), and do the weights stay away
    from W*?"""
    models = {}
    for model, data in retraining.groupby("model"):
        perturbed = data[data["scale"] > 0]
        last = perturbed["epoch"].max()
        per_scale = {}
        for scale, runs in perturbed.groupby("scale"):
            best = runs[runs["epoch"] > 0].groupby("draw")["val_acc"].max()
            start = runs[runs["epoch"] == 0].set_index("draw")
            end = runs[runs["epoch"] == last].set_index("draw")
            per_scale[f"{scale:g}"] = {
                "scale": float(scale),
                "initial_val_acc": float(start["val_acc"].mean()),
                "best_val_acc": float(best.mean()),
                "final_val_acc": float(end["val_acc"].mean()),
                "initial_distance": float(start["distance"].mean()),
                "final_distance": float(end["distance"].mean()),
                "distance_ratio": float((end["distance"] / start["distance"]).mean()),
            }
        reference = data[(data["scale"] == 0) & (data["epoch"] == 0)].iloc[0]
        models[model] = {"scales": per_scale, "reference_val_acc": float(reference["val_acc"]),
                         "sigma_w": float(data["sigma_w"].iloc[0]), "epochs": int(last)}
    recovery, recovery_outcomes = [], []
    if {"rnn", "gru"} <= set(models):
        scales = [s["scale"] for s in models["gru"]["scales"].values()]
        k = min(scales, key=lambda s: abs(s - 1.0))
        gru, rnn = models["gru"]["scales"][f"{k:g}"], models["rnn"]["scales"][f"{k:g}"]
        recovery.append(f"k = {k:g}: best accuracy within {models['gru']['epochs']} epochs, "
                        f"mean over draws: GRU {pct(gru['best_val_acc'])}, "
                        f"RNN {pct(rnn['best_val_acc'])}")
        recovery_outcomes.append(gru["best_val_acc"] >= recover
                                 and gru["best_val_acc"] > rnn["best_val_acc"])
    away, away_outcomes = [], []
    for model, result in models.items():
        for key, s in result["scales"].items():
            away.append(f"{MODEL_NAMES[model]} k = {key}: ‖W* − W‖ {s['initial_distance']:.2f} → "
                        f"{s['final_distance']:.2f}")
            away_outcomes.append(s["distance_ratio"] > returned)
    return studied_result(retraining, {"models": models}, [
        ("the GRU recovers (~90% at k = 1), the RNN less",
         f"at the k nearest 1, the GRU's best retrained accuracy (mean over draws) is "
         f"at least {pct(recover)} and above the RNN's", recovery,
         recovery_outcomes),
        ("the weights do not return to W*",
         f"per model and k, the distance to W* after retraining is more than "
         f"{returned:g} of the distance right after the perturbation (mean over draws)",
         away, away_outcomes),
    ])


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return perturbation_numbers(tables["e7_perturbation_retraining"])
