"""E13 (seed 000 §V, Figs. 11-12): Adam against RMSprop, Adagrad and SGD with Nesterov
momentum, each at its best learning rate of one shared grid.

Seed 000: "Compared Adam, SGDNestrov, Adagrad optimizers and found Adam optimizer gives best
accuracy". A run's score is the area under its accuracy curve (its mean evaluation accuracy,
which rewards converging early); each optimizer counts at the learning rate whose replicates
score best, and the replicates pair (the same initial weights and palindromes).
"""
import pandas as pd

from .stats import p_text, paired_lower, paired_test_can_reject
from .verdict import claim

REFERENCE = "adam"


def best_runs(runs: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    best = rates.loc[rates["best"], ["optimizer", "lr"]]
    return runs.merge(best, on=["optimizer", "lr"])


def optimizers(runs: pd.DataFrame, rates: pd.DataFrame, alpha: float) -> dict:
    chosen = best_runs(runs, rates)
    summary = {r.optimizer: {"lr": float(r.lr), "score": float(r.score),
                             "score_low": float(r.score_low), "score_high": float(r.score_high),
                             "converged": int(r.converged), "replicates": int(r.replicates)}
               for r in rates[rates["best"]].itertuples()}
    texts, outcomes = [], []
    if REFERENCE not in summary:
        texts, outcomes = ["Adam is not in this grid"], [None]
    reference = chosen[chosen["optimizer"] == REFERENCE]
    for name in summary:
        if name == REFERENCE or REFERENCE not in summary:
            continue
        other = chosen[chosen["optimizer"] == name]
        pairs = reference.merge(other, on="replicate", suffixes=("_a", "_b"))
        a, b = summary[REFERENCE], summary[name]
        text = (f"adam (lr {a['lr']:g}) {a['score']:.3f} [{a['score_low']:.3f}, "
                f"{a['score_high']:.3f}], {a['converged']}/{a['replicates']} converged vs "
                f"{name} (lr {b['lr']:g}) {b['score']:.3f} [{b['score_low']:.3f}, "
                f"{b['score_high']:.3f}], {b['converged']}/{b['replicates']}")
        if paired_test_can_reject(len(pairs), alpha):
            p = paired_lower(pairs["score_b"], pairs["score_a"])
            texts.append(f"{text}: signed-rank {p_text(p)}")
            outcomes.append(p < alpha)
        else:
            texts.append(f"{text}: {len(pairs)} replicates are too few for a paired test")
            outcomes.append(None)
    return {"best": summary, "claims": [
        claim("Adam is the best optimizer",
              "each optimizer at the learning rate of the shared grid whose replicates score "
              "best; score = mean evaluation accuracy over the run (area under the accuracy "
              "curve); Adam's score exceeds each other optimizer's, paired by replicate "
              f"(one-sided Wilcoxon signed-rank test, p < {alpha:g}; needs 5 replicates)",
              texts, outcomes, keys=("report.alpha",), models=len(runs),
              unit="trained networks (optimizers × learning rates × replicates)")]}


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return optimizers(tables["e13_optimizers_runs"], tables["e13_optimizers_rates"],
                      report["alpha"])
