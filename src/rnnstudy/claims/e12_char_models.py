"""E12 (seed 000 §IV.D; Collins et al. 2017 §3): next-character prediction.

Seed 000: "as number of parameters are increasing the cross-entropy loss being decreased",
with "similar results for all RNN architectures" (Collins et al.: on text8, every
architecture reaches about the same bits per character at equal parameters). Each point is
its best learning rate's mean test bits per character over replicates (each replicate at
its best validation evaluation); every budget of every architecture and depth counts.
"""
import pandas as pd

from .stats import falls_with, p_text, trend_test_can_reject
from .verdict import claim


def _span(row) -> str:
    return (f"{row.test_bits:.3f} [{row.test_bits_low:.3f}, {row.test_bits_high:.3f}] at "
            f"{row.parameters:,}")


def char_models(points: pd.DataFrame, criteria: dict, alpha: float, members: int,
                steps: int | None = None) -> dict:
    points = points.sort_values(["layers", "budget"])
    table = {model: {int(depth): {int(r.budget): {
        "parameters": int(r.parameters), "hidden_dim": int(r.hidden_dim),
        "bits": float(r.test_bits), "low": float(r.test_bits_low),
        "high": float(r.test_bits_high), "lr": float(r.best_lr)}
        for r in d.itertuples()} for depth, d in g.groupby("layers")}
        for model, g in points.groupby("model", sort=False)}
    floor = points["entropy_rate"].iloc[0] if len(points) else None
    sample_floor = points["source_test_bits"].iloc[0] if len(points) else None
    falls, falls_outcomes = [], []
    for (model, depth), g in points.groupby(["model", "layers"], sort=False):
        g = g.sort_values("parameters")
        text = (f"{model}, {depth} layer{'s' if depth > 1 else ''}: "
                f"{_span(g.iloc[0])} → {_span(g.iloc[-1])} parameters")
        if trend_test_can_reject(len(g), alpha):
            p = falls_with(g["parameters"], g["test_bits"])
            falls.append(f"{text}, Kendall {p_text(p)}")
            falls_outcomes.append(p < alpha)
        else:
            falls.append(f"{text}: too few budgets for a test")
            falls_outcomes.append(None)
    alike, alike_outcomes, spreads = [], [], []
    for (depth, budget), g in points.groupby(["layers", "budget"]):
        if len(g) < 2:
            continue
        spread = g["test_bits"].max() - g["test_bits"].min()
        worst = g.loc[g["test_bits"].idxmax()]
        best = g.loc[g["test_bits"].idxmin()]
        spreads.append(float(spread))
        alike.append(f"{depth} layer{'s' if depth > 1 else ''}, budget {budget:,}: "
                     f"{worst.model} {worst.test_bits:.3f} − {best.model} "
                     f"{best.test_bits:.3f} = {spread:.3f}")
        alike_outcomes.append(bool(spread <= criteria["alike_bits"]))
    counted = dict(models=members, unit="trained networks")
    gap = None
    if floor is not None and len(points) and pd.notna(floor):
        gap = float(points["test_bits"].min() - floor)
    return {
        "bits": table,
        "entropy_rate": None if floor is None or pd.isna(floor) else float(floor),
        "source_test_bits": (None if sample_floor is None or pd.isna(sample_floor)
                             else float(sample_floor)),
        "best_gap_to_floor": gap,
        "largest_spread": max(spreads) if spreads else None,
        # points whose replicates' best validation came at the last step: still improving
        "points": int(len(points)),
        "still_improving": (None if steps is None else
                            int((points["best_step"] >= steps).sum())),
        "claims": [
            claim("bits per character fall with parameters",
                  "per architecture and depth, the test bits per character fall as "
                  "parameters grow over the budgets (one-sided Kendall rank test, "
                  f"p < {alpha:g}; replicate ranges given)", falls, falls_outcomes,
                  keys=("report.alpha",), **counted),
            claim("architectures alike at equal parameters",
                  "at each depth and budget, the architectures' test bits per character "
                  f"differ by at most {criteria['alike_bits']:g} bits (largest − smallest)",
                  alike, alike_outcomes, keys=("report.e12_char_models.alike_bits",),
                  **counted),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    points = tables["e12_char_models_points"]
    members = len(points) * len(section["learning_rates"]) * section["replicates"]
    return char_models(points, report["e12_char_models"], report["alpha"], members,
                       section["steps"])
