"""E11 (seed 000 §IV.E): random continuous functions.

Seed 000: "as the number of parameters are increasing, square error is being decreased and
almost similar results for RNN and LSTM". Each point is its best learning rate's mean over
replicates; every budget of every architecture counts.
"""
import pandas as pd

from .stats import falls_with, p_text, trend_test_can_reject
from .verdict import claim


def random_functions(errors: pd.DataFrame, criteria: dict, alpha: float,
                     members: int) -> dict:
    table = {model: {int(r.budget): {"parameters": int(r.parameters), "error": float(r.error),
                                     "low": float(r.error_low), "high": float(r.error_high)}
                     for r in g.sort_values("budget").itertuples()}
             for model, g in errors.groupby("model", sort=False)}
    falls, falls_outcomes = [], []
    for model, g in errors.groupby("model", sort=False):
        g = g.sort_values("parameters")
        first, last = g.iloc[0], g.iloc[-1]
        text = (f"{model}: {first.error:.4f} [{first.error_low:.4f}, {first.error_high:.4f}] at "
                f"{first.parameters} parameters → {last.error:.4f} [{last.error_low:.4f}, "
                f"{last.error_high:.4f}] at {last.parameters}")
        if trend_test_can_reject(len(g), alpha):
            p = falls_with(g["parameters"], g["error"])
            falls.append(f"{text}, Kendall {p_text(p)}")
            falls_outcomes.append(p < alpha)
        else:
            falls.append(f"{text}: too few budgets for a test")
            falls_outcomes.append(None)
    alike, alike_outcomes = [], []
    for budget, g in errors.groupby("budget"):
        if len(g) < 2:
            continue
        ratio = g["error"].max() / g["error"].min()
        worst, best = g.loc[g["error"].idxmax(), "model"], g.loc[g["error"].idxmin(), "model"]
        alike.append(f"budget {budget}: {worst} / {best} = {ratio:.2f}")
        alike_outcomes.append(bool(ratio <= criteria["alike_factor"]))
    counted = dict(models=members, unit="trained networks")
    return {
        "errors": table,
        "claims": [
            claim("the squared error falls with parameters",
                  "per architecture, the error falls as parameters grow over the budgets "
                  f"(one-sided Kendall rank test, p < {alpha:g}; replicate ranges given)",
                  falls, falls_outcomes, keys=("report.alpha",), **counted),
            claim("architectures alike at equal parameters",
                  "at each budget, the largest architecture's error is at most "
                  f"{criteria['alike_factor']:g} times the smallest one's", alike,
                  alike_outcomes, keys=("report.e11_random_functions.alike_factor",), **counted),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    errors = tables["e11_random_functions_errors"]
    members = len(errors) * len(section["learning_rates"]) * section["replicates"]
    return random_functions(errors, report["e11_random_functions"], report["alpha"], members)
