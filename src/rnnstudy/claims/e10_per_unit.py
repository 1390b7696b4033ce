"""E10 (seed 000 §IV.C, Collins et al. 2017 §2.2): how many numbers the units keep.

Seed 000: "as number of units per layer is greater than or equal to 64, the evaluation loss is
getting closer to zero"; Collins et al.: below that, all architectures follow one curve (about
one number per unit). Each point is its best learning rate's mean over replicates; every size
of every architecture counts.
"""
import pandas as pd

from .verdict import claim


def per_unit(errors: pd.DataFrame, input_dim: int, criteria: dict, members: int) -> dict:
    zero, spread_max = criteria["zero_error"], criteria["one_curve"]
    table = {model: {int(r.hidden_dim): {"error": float(r.error), "low": float(r.error_low),
                                         "high": float(r.error_high),
                                         "floor": float(r.linear_floor)}
                     for r in g.sort_values("hidden_dim").itertuples()}
             for model, g in errors.groupby("model", sort=False)}
    exact, exact_outcomes = [], []
    for model, sizes in table.items():
        above = {n: v["error"] for n, v in sizes.items() if n >= input_dim}
        below = {n: v["error"] for n, v in sizes.items() if n < input_dim}
        worst_above = max(above.values()) if above else None
        best_below = min(below.values()) if below else None
        text = (f"{model}: largest error from {input_dim} units on "
                f"{'—' if worst_above is None else f'{worst_above:.4f}'}, smallest below "
                f"{'—' if best_below is None else f'{best_below:.4f}'}")
        exact.append(text)
        exact_outcomes.append(None if not above or not below
                              else worst_above <= zero < best_below)
    curve, curve_outcomes = [], []
    below = errors[errors["hidden_dim"] < input_dim]
    for hidden, g in below.groupby("hidden_dim"):
        if len(g) < 2:
            continue
        spread = g["error"].max() - g["error"].min()
        curve.append(f"{hidden} units: {g['error'].min():.3f}–{g['error'].max():.3f} "
                     f"(linear floor {g['linear_floor'].iloc[0]:.3f})")
        curve_outcomes.append(bool(spread <= spread_max))
    excess = (below["error"] - below["linear_floor"])
    counted = dict(models=members, unit="trained networks")
    return {
        "errors": table,
        "input_dim": input_dim,
        "excess_over_floor": {"median": float(excess.median()) if len(excess) else None,
                              "max": float(excess.max()) if len(excess) else None},
        "claims": [
            claim(f"the error reaches ~0 exactly when units ≥ the input's {input_dim} dimensions",
                  f"per architecture: error ≤ {zero:g} at every size from {input_dim} units on, "
                  f"and above {zero:g} at every size below; not testable without sizes on both "
                  "sides", exact, exact_outcomes, keys=("report.e10_per_unit.zero_error",),
                  **counted),
            claim("below that, all architectures follow one curve",
                  f"at each size below {input_dim} units, the architectures' errors differ by "
                  f"at most {spread_max:g}", curve, curve_outcomes,
                  keys=("report.e10_per_unit.one_curve",), **counted),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    errors = tables["e10_per_unit_errors"]
    members = len(errors) * len(section["learning_rates"]) * section["replicates"]
    return per_unit(errors, section["input_dim"], report["e10_per_unit"], members)
