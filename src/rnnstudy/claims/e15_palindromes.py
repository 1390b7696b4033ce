"""E15 (seed 003 §1, Figs. 2-4, 6-7): how long a palindrome the RNN and the LSTM learn.

Seed 003: the vanilla RNN converges for short palindromes, needs twice the steps at 8-9 and
fails at 10 even then; the LSTM converges up to 10. A run converges by the rule of
analysis/palindromes.train_palindromes (evaluation accuracy ≥ converge_accuracy on fresh
palindromes); the `pivot` (report.e15_palindromes.pivot) is the seed's "≈ 10".
"""
import pandas as pd

from .stats import (
    more_often,
    p_text,
    paired_lower,
    paired_test_can_reject,
    rank_test_can_reject,
    rate,
    rate_text,
)
from .verdict import claim


def converged_rate(runs: pd.DataFrame, confidence: float) -> dict:
    return rate(int(runs["converged"].sum()), len(runs), confidence)


def longest_text(longest: pd.DataFrame, model: str) -> str:
    """E.g. 'rnn: 10, 8, 10 (replicates 0-2; 1 with a shorter length failed)'."""
    rows = longest[longest["model"] == model].sort_values("replicate")
    gaps = int((rows["gaps"] > 0).sum())
    text = ", ".join(str(v) for v in rows["longest"])
    return f"{model}: {text}" + (f" ({gaps} with a shorter length failed)" if gaps else "")


def rnn_degrades(runs: pd.DataFrame, longest: pd.DataFrame, pivot: int, confidence: float,
                 alpha: float) -> tuple[list[str], list[bool | None]]:
    rnn = runs[runs["model"] == "rnn"]
    short, long_ = rnn[rnn["length"] <= pivot], rnn[rnn["length"] > pivot]
    if rnn.empty:
        return ["no vanilla RNN in this grid"], [None]
    a, b = converged_rate(short, confidence), converged_rate(long_, confidence)
    text = (f"RNN converged at T ≤ {pivot}: {rate_text(a)}, at T > {pivot}: {rate_text(b)}; "
            f"longest converged T per replicate: {longest_text(longest, 'rnn')}")
    if not rank_test_can_reject(len(short), len(long_), alpha):
        return [f"{text}: too few runs on one side of T = {pivot} for a test"], [None]
    p = more_often(a, b)
    return [f"{text}, Fisher {p_text(p)}"], [p < alpha]


def lstm_longer(runs: pd.DataFrame, longest: pd.DataFrame, pivot: int, confidence: float,
                alpha: float) -> tuple[list[str], list[bool | None]]:
    if not {"rnn", "lstm"} <= set(runs["model"]):
        return ["the grid lacks the RNN or the LSTM"], [None]
    texts, outcomes = [], []
    pairs = (longest[longest["model"] == "rnn"]
             .merge(longest[longest["model"] == "lstm"], on=["optimizer", "hidden_dim", "lr",
                                                              "replicate"],
                    suffixes=("_rnn", "_lstm")))
    text = (f"longest converged T per replicate, {longest_text(longest, 'lstm')} vs "
            f"{longest_text(longest, 'rnn')}")
    if paired_test_can_reject(len(pairs), alpha):
        p = paired_lower(pairs["longest_rnn"], pairs["longest_lstm"])
        texts.append(f"{text}: signed-rank {p_text(p)}")
        outcomes.append(p < alpha)
    else:
        texts.append(f"{text}: {len(pairs)} replicates are too few for a paired test")
        outcomes.append(None)
    beyond = runs[runs["length"] > pivot]
    lstm = converged_rate(beyond[beyond["model"] == "lstm"], confidence)
    rnn = converged_rate(beyond[beyond["model"] == "rnn"], confidence)
    text = f"converged at T > {pivot}: LSTM {rate_text(lstm)}, RNN {rate_text(rnn)}"
    if rank_test_can_reject(lstm["trials"], rnn["trials"], alpha):
        p = more_often(lstm, rnn)
        texts.append(f"{text}, Fisher {p_text(p)}")
        outcomes.append(p < alpha)
    else:
        texts.append(f"{text}: too few runs beyond T = {pivot} for a test")
        outcomes.append(None)
    return texts, outcomes


def palindromes(runs: pd.DataFrame, longest: pd.DataFrame, criteria: dict, confidence: float,
                alpha: float) -> dict:
    pivot = criteria["pivot"]
    rates = {model: {int(length): converged_rate(g, confidence)
                     for length, g in m.groupby("length")}
             for model, m in runs.groupby("model", sort=False)}
    per_replicate = {model: {int(r.replicate): {"longest": int(r.longest),
                                                "through": int(r.through), "gaps": int(r.gaps)}
                             for r in g.itertuples()}
                     for model, g in longest.groupby("model", sort=False)}
    counted = dict(models=len(runs), unit="trained networks (architecture × T × replicate)")
    degrade_text, degrade_outcomes = rnn_degrades(runs, longest, pivot, confidence, alpha)
    longer_text, longer_outcomes = lstm_longer(runs, longest, pivot, confidence, alpha)
    return {
        "rates": rates,
        "longest": per_replicate,
        "pivot": pivot,
        "claims": [
            claim(f"the vanilla RNN degrades past T ≈ {pivot}",
                  f"the RNN converges at T ≤ {pivot} more often than at T > {pivot} "
                  f"(one-sided Fisher exact test over its replicates × lengths, p < {alpha:g}); "
                  "not testable when one side has too few runs for the test to reach that",
                  degrade_text, degrade_outcomes,
                  keys=("report.e15_palindromes.pivot", "report.alpha"), **counted),
            claim("the LSTM holds longer than the RNN",
                  "per replicate, the LSTM's longest converged T exceeds the RNN's (one-sided "
                  f"Wilcoxon signed-rank test, p < {alpha:g}; needs 5 replicates), and at "
                  f"T > {pivot} the LSTM converges more often than the RNN (one-sided Fisher "
                  f"exact test, p < {alpha:g})", longer_text, longer_outcomes,
                  keys=("report.e15_palindromes.pivot", "report.alpha"), **counted),
        ],
    }


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return palindromes(tables["e15_palindromes_runs"], tables["e15_palindromes_longest"],
                       report["e15_palindromes"], report["confidence"], report["alpha"])
