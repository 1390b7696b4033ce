"""E8 (seed 000 §IV.A, after Collins et al. 2017 §2.1): bits stored per parameter.

Seed 000: "Information (bits) is linear to the number of parameters and ... on an average
they can hold about 5 bits per parameter"; "bits per parameter for RNN, LSTM, GRU
architectures varying between 3-6 bits"; "LSTM and GRU show slightly reduced capacity
because of gating" (Collins et al.: RNN > UGRNN > GRU > LSTM). Each point is the search's
best setting (mean over its replicates); every point of every architecture and depth counts.
"""
import pandas as pd

from .stats import (
    line_fit,
    median_interval,
    median_text,
    p_text,
    paired_lower,
    paired_test_can_reject,
)
from .verdict import claim

KEYS = ["layers", "budget"]


def still_rising(curves: pd.DataFrame) -> pd.Series:
    """Per point, the most bits any member holds at the last evaluation over the most at the
    one before, minus 1: how much the last stretch of training still added."""
    most = curves.groupby(["model", *KEYS, "step"])["bits"].max().reset_index()
    last_two = most.sort_values("step").groupby(["model", *KEYS]).tail(2)
    pairs = last_two.groupby(["model", *KEYS])["bits"].agg(["first", "last", "count"])
    pairs = pairs[(pairs["count"] == 2) & (pairs["first"] > 0)]
    return pairs["last"] / pairs["first"] - 1


def capacity(points: pd.DataFrame, search: pd.DataFrame, curves: pd.DataFrame,
             criteria: dict, alpha: float, confidence: float, members: int) -> dict:
    per_depth, linear, linear_outcomes = {}, [], []
    for (model, layers), g in points.groupby(["model", "layers"], sort=False):
        g = g.sort_values("parameters")
        entry = {"points": [{"budget": int(r.budget), "parameters": int(r.parameters),
                             "bits": float(r.bits), "bits_per_param": float(r.bits_per_param),
                             "low": float(r.bits_per_param_low),
                             "high": float(r.bits_per_param_high)} for r in g.itertuples()]}
        where = f"{model}, {layers} layer{'s' if layers > 1 else ''}"
        if len(g) >= 3:
            fit = line_fit(g["parameters"], g["bits"])
            entry["fit"] = fit
            linear.append(f"{where}: {fit['slope']:.2f} ± {fit['slope_se']:.2f} bits per added "
                          f"parameter, R² {fit['r2']:.3f}")
            linear_outcomes.append(fit["slope"] > 0 and fit["r2"] >= criteria["linear_r2"])
        else:
            linear.append(f"{where}: {len(g)} budget(s), no line to fit")
            linear_outcomes.append(None)
        per_depth.setdefault(model, {})[int(layers)] = entry

    low, high = criteria["range"]
    per_model, ranged, ranged_outcomes = {}, [], []
    for model, g in points.groupby("model", sort=False):
        interval = median_interval(g["bits_per_param"], confidence)
        per_model[model] = interval
        ranged.append(f"{model}: {median_text(interval)} over {len(g)} point(s)")
        ranged_outcomes.append(low <= interval["median"] <= high)

    overall = median_interval(points["bits_per_param"], confidence) if len(points) else None
    about_low, about_high = criteria["about"]
    about = ([f"median over {len(points)} points {median_text(overall)} bits per parameter"]
             if overall else [])
    about_outcomes = [about_low <= overall["median"] <= about_high] if overall else [None]

    order = [m for m in criteria["order"] if m in set(points["model"])]
    ordered, ordered_outcomes = [], []
    by = points.set_index(["model", *KEYS])["bits_per_param"]
    for first, second in zip(order, order[1:], strict=False):
        a, b = by.loc[first], by.loc[second]
        common = a.index.intersection(b.index)
        wins = int((a[common] > b[common]).sum())
        text = f"{first} > {second} at {wins}/{len(common)} depth × budget points"
        if paired_test_can_reject(len(common), alpha):
            p = paired_lower(b[common], a[common])
            ordered.append(f"{text}, {p_text(p)}")
            ordered_outcomes.append(p < alpha)
        else:
            ordered.append(f"{text}: too few points for a test")
            ordered_outcomes.append(None)

    # Convergence of the search: the best after half the evaluations over the final best.
    final = search.groupby(["model", *KEYS])["best_bits"].transform("max")
    half = search[search["evaluations"] == (search.groupby(["model", *KEYS])["evaluations"]
                                            .transform("max") + 1) // 2]
    converged = (half["best_bits"] / final[half.index]).dropna()
    rising = still_rising(curves)
    counted = dict(models=members, unit="trained networks")
    return {
        "per_depth": per_depth,
        "per_model": per_model,
        "overall": overall,
        "search_half_of_final": median_interval(converged, confidence) if len(converged) else None,
        "last_evaluation_gain": median_interval(rising, confidence) if len(rising) else None,
        "claims": [
            claim("stored bits grow linearly with parameters",
                  f"per architecture and depth (at least 3 budgets), a least-squares line of "
                  f"bits on parameters rises and has R² ≥ {criteria['linear_r2']:g}",
                  linear, linear_outcomes, keys=("report.e8_capacity.linear_r2",), **counted),
            claim(f"every architecture stores {low:g}-{high:g} bits per parameter",
                  f"an architecture's median bits per parameter over its depths and budgets "
                  f"lies in [{low:g}, {high:g}] (bootstrap interval of the median given)",
                  ranged, ranged_outcomes, keys=("report.e8_capacity.range",), **counted),
            claim("about 5 bits per parameter on average",
                  f"the median over every architecture, depth and budget lies in "
                  f"[{about_low:g}, {about_high:g}]", about, about_outcomes,
                  keys=("report.e8_capacity.about",), **counted),
            claim("gated architectures store slightly less ("
                  + " > ".join(criteria["order"]) + ")",
                  "each architecture stores more bits per parameter than the next at the same "
                  f"depth and budget (one-sided paired Wilcoxon test, p < {alpha:g}); not "
                  "testable with too few points", ordered, ordered_outcomes,
                  keys=("report.e8_capacity.order", "report.alpha"), **counted),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    points = tables["e8_capacity_points"]
    members = int(points["evaluations"].sum() * section["replicates"]) if len(points) else 0
    return capacity(points, tables["e8_capacity_search"], tables["e8_capacity_curves"],
                    report["e8_capacity"], report["alpha"], report["confidence"], members)
