"""E16 (seed 003 §1, Figs. 1-2 and 5-6): RMSprop against Adam on E15's palindromes.

Seed 003: "it seems that Adam perform better than RMSprop", for the RNN (Figs. 1-2) and the
LSTM (Figs. 5-6), read off its loss curves. E16 trains E15's populations again with RMSprop:
the same architectures, lengths, replicates (the same initial weights and palindromes),
learning rate and budget, so each RMSprop run pairs with an Adam run of E15; "converged" is
E15's rule. The pairs are pooled over architectures × lengths × replicates; each
architecture's counts are reported beside.
"""
import pandas as pd

from ..naming import OPTIMIZER_NAMES
from .stats import (
    p_text,
    paired_lower,
    paired_more_often,
    paired_test_can_reject,
    rate,
    rate_text,
)
from .verdict import claim

PAIR = ["model", "length", "hidden_dim", "lr", "replicate"]


def median_steps(steps: pd.Series) -> str:
    return "—" if steps.dropna().empty else f"{steps.dropna().median():,.0f}"


def counts(pairs: pd.DataFrame, first: str, second: str, confidence: float) -> dict:
    a, b = pairs["converged_a"].astype(bool), pairs["converged_b"].astype(bool)
    return {"pairs": len(pairs), first: rate(int(a.sum()), len(pairs), confidence),
            second: rate(int(b.sum()), len(pairs), confidence),
            f"{first}_only": int((a & ~b).sum()), f"{second}_only": int((b & ~a).sum())}


def more_reliable(adam: pd.DataFrame, other: pd.DataFrame, confidence: float,
                  alpha: float) -> dict:
    first = adam["optimizer"].iloc[0] if len(adam) else "adam"
    second = other["optimizer"].iloc[0] if len(other) else "rmsprop"
    names = [OPTIMIZER_NAMES.get(first, first), OPTIMIZER_NAMES.get(second, second)]
    pairs = adam.merge(other, on=PAIR, suffixes=("_a", "_b"))
    per_model = {model: counts(g, first, second, confidence)
                 for model, g in pairs.groupby("model", sort=False)}
    pooled = counts(pairs, first, second, confidence)
    models = "; ".join(f"{m}: {c[first]['successes']} vs {c[second]['successes']} of "
                       f"{c['pairs']}" for m, c in per_model.items())
    text = (f"{first} converged in {rate_text(pooled[first])}, {second} in "
            f"{rate_text(pooled[second])} (only {first}: {pooled[f'{first}_only']}, only "
            f"{second}: {pooled[f'{second}_only']}; {models})")
    discordant = pooled[f"{first}_only"] + pooled[f"{second}_only"]
    if paired_test_can_reject(discordant, alpha):
        p = paired_more_often(pooled[f"{first}_only"], pooled[f"{second}_only"])
        reliable = ([f"{text}, McNemar {p_text(p)}"], [p < alpha])
    else:
        reliable = ([f"{text}: {discordant} pairs where only one converged are too few for a "
                     "test"], [None])
    both = pairs[pairs["converged_a"].astype(bool) & pairs["converged_b"].astype(bool)]
    text = (f"median step of convergence where both converged ({len(both)} pairs): {first} "
            f"{median_steps(both['converged_at_a'])}, {second} "
            f"{median_steps(both['converged_at_b'])}")
    if paired_test_can_reject(len(both), alpha):
        p = paired_lower(both["converged_at_a"].astype(float),
                         both["converged_at_b"].astype(float))
        faster = ([f"{text}, signed-rank {p_text(p)}"], [p < alpha])
    else:
        faster = ([f"{text}: too few for a paired test"], [None])
    counted = dict(models=2 * len(pairs), unit="trained networks (both arms)")
    return {"pooled": pooled, "pairs": per_model, "claims": [
        claim(f"{names[0]} converges more reliably than {names[1]}",
              f"over architectures × lengths × replicates (each pair: the same initial "
              f"weights, palindromes and budget), {first} converges where {second} does not "
              f"more often than the reverse (one-sided exact McNemar test, p < {alpha:g}); not "
              "testable when too few pairs differ for the test to reach that",
              *reliable, keys=("report.alpha",), **counted),
        claim(f"{names[0]} converges faster than {names[1]}",
              f"where both runs of a pair converged, {first} did at an earlier step "
              f"(one-sided Wilcoxon signed-rank test, p < {alpha:g}; needs 5 pairs)",
              *faster, keys=("report.alpha",), **counted)]}


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return more_reliable(tables["e15_palindromes_runs"], tables["e16_rmsprop_adam_runs"],
                         report["confidence"], report["alpha"])
