"""E6's claims (seed 001 §VI.B): "the curve in the case of GRU is much more smoother" and
"in the GRU, initially the curve is almost always very steeply rising".

Judged over every candidate that reached the experiment's threshold (the seed: "this trend
was consistently observed in many more cases"), not over the one studied model: per shape,
the GRU's values against the RNN's with a one-sided Mann–Whitney test.
"""
import numpy as np
import pandas as pd

from ..naming import shape_label
from .compare import studied_result
from .stats import lower, median_interval, median_text, p_text, rank_test_can_reject


def roughness(cosine: np.ndarray) -> float:
    """Mean |cos(t) − cos(t−1)|: 0 for a smooth curve."""
    cosine = np.asarray(cosine, float)
    return float(np.abs(np.diff(cosine)).mean()) if len(cosine) > 1 else 0.0


def early_rise(cosine: np.ndarray, early_epochs: int) -> float | None:
    """How much cos(t) rises over the first `early_epochs` epochs, per epoch (the slope
    (cos(e) − cos(1)) / (e − 1)); None for a run shorter than that."""
    if len(cosine) < early_epochs:
        return None
    return float((cosine[early_epochs - 1] - cosine[0]) / (early_epochs - 1))


def cosine_numbers(curves: pd.DataFrame, early_epochs: int, alpha: float,
                   confidence: float) -> dict:
    """Per model and shape: roughness and early rise of the studied candidate and of every
    candidate reaching the threshold; the claims compare the GRU's with the RNN's."""
    models = {}
    for (model, i, h), group in curves.groupby(["model", "input_dim", "hidden_dim"]):
        per_init = {}
        for init, curve in group.groupby("init"):
            cosine = curve.sort_values("epoch")["cosine"].to_numpy()
            per_init[int(init)] = {
                "roughness": roughness(cosine), "rise": early_rise(cosine, early_epochs),
                "reached": bool(curve["final_val_acc"].iloc[0] >= curve["min_val_acc"].iloc[0])}
        reached = [v for v in per_init.values() if v["reached"]]
        rises = [v["rise"] for v in reached if v["rise"] is not None]
        models[f"{model} {shape_label(i, h)}"] = {
            "model": model, "shape": shape_label(i, h),
            "studied": per_init[int(group["selected_init"].iloc[0])],
            "reaching": len(reached),
            "roughness": [v["roughness"] for v in reached],
            "rises": rises,
            "median_roughness": (median_interval([v["roughness"] for v in reached], confidence)
                                 if reached else None),
            "median_rise": median_interval(rises, confidence) if rises else None}

    smooth, smooth_outcomes, rise, rise_outcomes = [], [], [], []
    for i, h in sorted(set(zip(curves["input_dim"], curves["hidden_dim"]))):
        where = shape_label(i, h)
        rnn, gru = models.get(f"rnn {where}"), models.get(f"gru {where}")
        if rnn is None or gru is None:
            continue
        for values, texts, outcomes, key, better in (
                ("roughness", smooth, smooth_outcomes, "median_roughness", "lower"),
                ("rises", rise, rise_outcomes, "median_rise", "higher")):
            a, b = gru[values], rnn[values]
            text = (f"{where}: median {values} GRU {median_text(gru[key])} (n = {len(a)}), "
                    f"RNN {median_text(rnn[key])} (n = {len(b)})")
            if not rank_test_can_reject(len(a), len(b), alpha):
                texts.append(f"{text}: too few candidates reached the threshold, not testable")
                outcomes.append(None)
                continue
            p = lower(a, b) if better == "lower" else lower(b, a)
            holds = p < alpha and (better == "lower" or gru[key]["median"] > 0)
            texts.append(f"{text}, {p_text(p)}")
            outcomes.append(holds)
    studied = {name: m["studied"] for name, m in models.items()}
    summary = {name: {k: v for k, v in m.items() if k not in ("roughness", "rises")}
               for name, m in models.items()}
    behind = sum(len(m["roughness"]) for m in models.values())
    return studied_result(curves, {"studied": studied, "models": summary}, [
        ("the GRU's cosine curve is smoother than the RNN's",
         f"per shape, over every candidate reaching the threshold: the GRU's roughness (mean "
         f"|cos(t) − cos(t−1)|) is lower than the RNN's (one-sided Mann–Whitney, p < {alpha:g}); "
         "not testable where too few candidates of a model reach the threshold for the test "
         "to reject at all",
         smooth, smooth_outcomes, ("report.alpha",), behind),
        ("the GRU's curve rises steeply early",
         f"per shape, over every candidate reaching the threshold: the GRU's early rise "
         f"((cos({early_epochs}) − cos(1)) / {early_epochs - 1}) is positive (median) and "
         f"higher than the RNN's (one-sided Mann–Whitney, p < {alpha:g}); not testable as above",
         rise, rise_outcomes, ("report.e6_update_cosine.early_epochs", "report.alpha"), behind),
    ])


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return cosine_numbers(tables["e6_update_cosine_curves"],
                          report["e6_update_cosine"]["early_epochs"], report["alpha"],
                          report["confidence"])

