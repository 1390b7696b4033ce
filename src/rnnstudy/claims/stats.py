"""Intervals and tests for the verdicts, from scipy.stats (never hand-written formulas).

Every function takes the config's `confidence` (interval level) where it makes an
interval; tests are one-sided where the seed's claim has a direction.
"""
from math import comb, factorial

import numpy as np
from scipy import stats


def rate(successes: int, trials: int, confidence: float) -> dict:
    """A success rate with its exact (Clopper–Pearson) interval."""
    if trials == 0:
        return {"successes": 0, "trials": 0, "rate": None, "low": None, "high": None}
    interval = stats.binomtest(int(successes), int(trials)).proportion_ci(confidence, "exact")
    return {"successes": int(successes), "trials": int(trials),
            "rate": successes / trials, "low": float(interval.low),
            "high": float(interval.high)}


def rate_text(r: dict) -> str:
    """E.g. '5/48 = 10.4% [3.5, 22.7]', or '12/1,000,000 = 0.0012% [0.00062, 0.0021]':
    three significant digits, so that rare events keep theirs."""
    if not r["trials"]:
        return "none"
    return (f"{r['successes']:,}/{r['trials']:,} = {100 * r['rate']:.3g}% "
            f"[{100 * r['low']:.3g}, {100 * r['high']:.3g}]")


def more_often(a: dict, b: dict) -> float:
    """One-sided p-value of 'a succeeds more often than b' (Fisher's exact test) from two
    `rate`s."""
    table = [[a["successes"], a["trials"] - a["successes"]],
             [b["successes"], b["trials"] - b["successes"]]]
    return float(stats.fisher_exact(table, alternative="greater").pvalue)


def differ(a: dict, b: dict) -> float:
    """Two-sided p-value of 'a and b succeed at different rates' (Fisher's exact test)."""
    table = [[a["successes"], a["trials"] - a["successes"]],
             [b["successes"], b["trials"] - b["successes"]]]
    return float(stats.fisher_exact(table).pvalue)


def lower(a, b) -> float:
    """One-sided p-value of 'values a tend to be lower than values b' (Mann–Whitney U)."""
    return float(stats.mannwhitneyu(np.asarray(a, float), np.asarray(b, float),
                                    alternative="less").pvalue)


def rank_test_can_reject(n_a: int, n_b: int, alpha: float) -> bool:
    """Whether a one-sided rank test of n_a against n_b values can reach p < alpha at all:
    its smallest p is 1 / C(n_a + n_b, n_a) (one model's values all below the other's).
    Fewer values are no evidence either way."""
    return n_a > 0 and n_b > 0 and 1 / comb(n_a + n_b, n_a) < alpha


def median_interval(values, confidence: float, seed: int = 0) -> dict:
    """The median with a percentile bootstrap interval (seeded: same values, same
    interval); one value gives no interval."""
    values = np.asarray(values, float)
    median = float(np.median(values))
    if len(values) < 2 or np.all(values == values[0]):
        return {"median": median, "low": None, "high": None, "n": int(len(values))}
    result = stats.bootstrap((values,), np.median, confidence_level=confidence,
                             method="percentile", rng=np.random.default_rng(seed))
    return {"median": median, "low": float(result.confidence_interval.low),
            "high": float(result.confidence_interval.high), "n": int(len(values))}


def median_text(interval: dict | None) -> str:
    """A `median_interval` as 'median [low, high]' ('—' for none)."""
    if interval is None:
        return "—"
    if interval["low"] is None:
        return f"{interval['median']:.3f}"
    return f"{interval['median']:.3f} [{interval['low']:.3f}, {interval['high']:.3f}]"


def p_text(p: float) -> str:
    return f"p = {p:.2g}"


def paired_lower(a, b) -> float:
    """One-sided p-value of 'a is lower than b at the same point' (Wilcoxon signed-rank
    test of the paired differences; exact for small samples). No difference at all: 1."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.all(a == b):
        return 1.0
    return float(stats.wilcoxon(a, b, alternative="less").pvalue)


def paired_test_can_reject(pairs: int, alpha: float) -> bool:
    """Whether a one-sided signed-rank test of this many pairs can reach p < alpha at all:
    its smallest p is 1 / 2^pairs (every difference of one sign)."""
    return pairs > 0 and 0.5 ** pairs < alpha


def paired_more_often(a_only: int, b_only: int) -> float:
    """One-sided p-value of 'a succeeds more often than b on the same cases' from the
    discordant pairs (a succeeded where b failed: a_only; the reverse: b_only), McNemar's
    exact test (a binomial test of a_only among them at 1/2). No discordant pair: 1. It can
    reject only when paired_test_can_reject(a_only + b_only, alpha)."""
    if a_only + b_only == 0:
        return 1.0
    return float(stats.binomtest(int(a_only), int(a_only + b_only), 0.5,
                                 alternative="greater").pvalue)


def falls_with(x, y) -> float:
    """One-sided p-value of 'y falls as x grows' (Kendall's τ; exact for small samples
    without ties)."""
    return float(stats.kendalltau(np.asarray(x, float), np.asarray(y, float),
                                  alternative="less").pvalue)


def trend_test_can_reject(points: int, alpha: float) -> bool:
    """Whether a one-sided rank-correlation test of this many points can reach p < alpha:
    its smallest p is 1 / points! (a perfectly monotone order)."""
    return points > 1 and 1 / factorial(points) < alpha


def line_fit(x, y) -> dict:
    """Least-squares line y = intercept + slope·x with the slope's standard error and R²."""
    fit = stats.linregress(np.asarray(x, float), np.asarray(y, float))
    return {"slope": float(fit.slope), "intercept": float(fit.intercept),
            "slope_se": float(fit.stderr), "r2": float(fit.rvalue ** 2), "n": len(x)}
