"""E14 (seed 000 §VI, Figs. 13-14; seed 002): initialization of the recurrent matrix and
gradient clipping.

Seed 000 §VI: identity initialization of the recurrent matrix is a remedy for vanishing and
exploding gradients (after Le et al. 2015), and "He-initialization works better for ReLU".
Seed 002: clip gradients (at 5). A run succeeds when it converges (the palindrome task's
rule); a diverged run fails and is counted. Every optimizer × length × clipping mode is one
comparison; no run is dropped. Runs are paired by replicate (the same palindromes and input
weights under every init, the same start under every clipping mode), so the tests are
McNemar's exact test on the pairs that disagree.
"""
import pandas as pd

from .stats import p_text, paired_more_often, paired_test_can_reject, rate, rate_text
from .verdict import claim

GROUP = ["optimizer", "length", "model", "clipping", "init"]


def _paired(a: pd.Series, b: pd.Series) -> tuple[int, int, int]:
    """Pairs (common replicates), those where only a holds, those where only b holds."""
    both = a.index.intersection(b.index)
    a, b = a.loc[both].astype(bool), b.loc[both].astype(bool)
    return len(both), int((a & ~b).sum()), int((b & ~a).sum())


def _helps(runs: pd.DataFrame, init: str, baseline: str, alpha: float,
           confidence: float) -> tuple[list, list]:
    """Per optimizer × length × clipping: does `init` make the ReLU RNN converge where
    `baseline` does not, more often than the reverse (one-sided McNemar exact test over the
    replicates)? Not testable where no ReLU run of that group learned the task, or too few
    replicates for the test to reject."""
    relu = runs[runs["model"] == "rnn_relu"]
    measured, outcomes = [], []
    for (optimizer, length, clipping), g in relu.groupby(["optimizer", "length", "clipping"]):
        a = g[g["init"] == init].set_index("replicate")["converged"]
        b = g[g["init"] == baseline].set_index("replicate")["converged"]
        if a.empty or b.empty:
            continue
        pairs, a_only, b_only = _paired(a, b)
        text = (f"{optimizer}, T = {length}, clipping {clipping}: {init} "
                f"{rate_text(rate(int(a.sum()), len(a), confidence))}, {baseline} "
                f"{rate_text(rate(int(b.sum()), len(b), confidence))}; only {init} converged "
                f"in {a_only} of {pairs} replicates, only {baseline} in {b_only}")
        if not g["converged"].any():
            measured.append(f"{text}: no ReLU run learned the task")
            outcomes.append(None)
        elif not paired_test_can_reject(pairs, alpha):
            measured.append(f"{text}: too few replicates for a test")
            outcomes.append(None)
        else:
            p = paired_more_often(a_only, b_only)
            measured.append(f"{text}, McNemar {p_text(p)}")
            outcomes.append(p < alpha)
    return measured, outcomes


def _prevents(runs: pd.DataFrame, alpha: float) -> tuple[list, list]:
    """Per optimizer × activation × length × clipping mode: do runs diverge without clipping
    that do not with it, more often than the reverse (one-sided McNemar exact test over the
    init × replicate pairs, which start alike)? Not testable where no run diverged without
    clipping (nothing to prevent), or too few pairs."""
    measured, outcomes = [], []
    key = ["init", "replicate"]
    for (optimizer, length, model), g in runs.groupby(["optimizer", "length", "model"]):
        unclipped = g[g["clipping"] == "none"].set_index(key)["diverged"]
        for clipping, c in g[g["clipping"] != "none"].groupby("clipping"):
            if unclipped.empty:
                continue
            clipped = c.set_index(key)["diverged"]
            pairs, none_only, clip_only = _paired(unclipped, clipped)
            text = (f"{optimizer}, {model}, T = {length}: diverged without clipping "
                    f"{int(unclipped.sum())}/{len(unclipped)}, with {clipping} clipping "
                    f"{int(clipped.sum())}/{len(clipped)}")
            if not unclipped.any():
                measured.append(f"{text}: nothing diverged without clipping")
                outcomes.append(None)
            elif not paired_test_can_reject(pairs, alpha):
                measured.append(f"{text}: too few runs for a test")
                outcomes.append(None)
            else:
                p = paired_more_often(none_only, clip_only)
                measured.append(f"{text}, McNemar {p_text(p)}")
                outcomes.append(p < alpha)
    return measured, outcomes


def initialization(runs: pd.DataFrame, criteria: dict, alpha: float,
                   confidence: float) -> dict:
    baseline = criteria["baseline_init"]
    counts = (runs.groupby(GROUP, sort=False)
              .agg(runs=("replicate", "count"), successes=("converged", "sum"),
                   diverged=("diverged", "sum")).reset_index())
    table = [{"optimizer": r.optimizer, "length": int(r.length), "model": r.model,
              "clipping": r.clipping, "init": r.init, "runs": int(r.runs),
              "successes": int(r.successes), "diverged": int(r.diverged),
              "rate": rate_text(rate(int(r.successes), int(r.runs), confidence))}
             for r in counts.itertuples()]
    he, he_outcomes = _helps(runs, "he", baseline, alpha, confidence)
    identity, identity_outcomes = _helps(runs, "identity", baseline, alpha, confidence)
    clip, clip_outcomes = _prevents(runs, alpha)
    counted = dict(models=len(runs), unit="training runs")
    keys = ("report.e14_initialization.baseline_init", "report.alpha")
    return {
        "counts": table,
        "runs": len(runs),
        "diverged": int(runs["diverged"].sum()),
        "claims": [
            claim("He initialization helps the ReLU RNN",
                  f"per optimizer, length and clipping mode, ReLU RNNs with He init converge "
                  f"where the same replicate with the {baseline} init does not more often "
                  f"than the reverse (one-sided McNemar exact test, p < {alpha:g}); not "
                  f"testable where no ReLU run learned the task", he, he_outcomes, keys=keys,
                  **counted),
            claim("identity initialization makes ReLU RNNs trainable",
                  f"per optimizer, length and clipping mode, ReLU RNNs with the identity init "
                  f"converge where the same replicate with the {baseline} init does not more "
                  f"often than the reverse (one-sided McNemar exact test, p < {alpha:g}); not "
                  f"testable where no ReLU run learned the task", identity, identity_outcomes,
                  keys=keys, **counted),
            claim("gradient clipping prevents divergence",
                  "per optimizer, activation, length and clipping mode (norm, element-wise), "
                  "runs that start alike diverge (loss or gradient no longer finite) without "
                  "clipping and not with it more often than the reverse (one-sided McNemar "
                  f"exact test, p < {alpha:g}); not testable where no run diverged without "
                  "clipping", clip, clip_outcomes, keys=("report.alpha",), **counted),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return initialization(tables["e14_initialization_runs"], report["e14_initialization"],
                          report["alpha"], report["confidence"])
