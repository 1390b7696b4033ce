"""E4's claims (seed 001 §IV.B): the GRU ignores stop words (the states of the stop-prefix
pair meet from the 7th word on, the RNN's never do); the RNN forgets a lone first word after
~15-30 steps while the GRU classifies it right up to 2000; on the swapped pair the RNN is
right twice, the GRU once.

Each is judged by an absolute criterion per candidate, over every candidate that reached the
threshold (`val_acc` ≥ `min_val_acc`), not by comparing one RNN with one GRU: the share of a
model's qualifying candidates meeting it, with its exact interval, decided by the rule
`report.e4_trajectories.rule` against `report.e4_trajectories.share`.
"""
import numpy as np
import pandas as pd

from .compare import studied_result
from .stats import rate, rate_text

MODELS = ("rnn", "gru")
KEY = "report.e4_trajectories"


def candidate_results(lengths: pd.DataFrame, distances: pd.DataFrame, forget_length: int,
                      meet_distance: float, meet_from: int) -> pd.DataFrame:
    """One row per model and candidate: whether it qualifies, and each criterion."""
    rows = []
    for (model, init), rows_of in lengths.groupby(["model", "init"]):
        first = rows_of[rows_of["probe"] == "first_word"]
        swap = rows_of[rows_of["probe"] == "adjacent_swap"].iloc[0]
        wrong = first["wrong_from"]
        forgotten_by = None if wrong.isna().any() else int(wrong.max())
        pair = distances[(distances["model"] == model) & (distances["init"] == init)]
        tail = pair[(pair["probe"] == "stop_prefix") & (pair["step"] >= meet_from)]
        step_one = pair[(pair["probe"] == "first_word") & (pair["step"] == 1)]
        right_up_to = int(first["right_up_to"].min())
        rows.append({
            "model": model, "init": int(init),
            "qualifies": bool(rows_of["val_acc"].iloc[0] >= rows_of["min_val_acc"].iloc[0]),
            "selected": bool(rows_of["selected"].iloc[0]),
            "probe_length": int(first["length"].iloc[0]),
            "probe_pairs": int(len(first)),
            "pairs_right": int((first["right_up_to"] == first["length"]).sum()),
            "pairs_forgotten": int((first["wrong_from"] <= forget_length + 1).sum()),
            "right_up_to": right_up_to,
            "stays_right": right_up_to == int(first["length"].iloc[0]),
            "forgotten_by": forgotten_by,  # every pair has a wrong probe from here on
            "forgets": forgotten_by is not None and forgotten_by <= forget_length + 1,
            "tail_distance_max": float(tail["distance_max"].max()),
            "tail_distance_min": float(tail["distance_min"].min()),
            "meets": bool(tail["distance_max"].max() <= meet_distance),
            "apart": bool(tail["distance_min"].min() > meet_distance),
            "one_word_distance": float(step_one["distance_median"].iloc[0]),
            "swap_right": int(swap["correct_a"]) + int(swap["correct_b"]),
        })
    return pd.DataFrame(rows)


def decide(successes: int, trials: int, share: float, rule: str,
           confidence: float) -> tuple[bool | None, dict, str]:
    """Whether most qualifying candidates meet a criterion: `majority`, the fraction is
    above `share`; `interval`, the exact interval's lower bound is. Not testable without
    qualifying candidates, or (interval) with too few for even all of them to show it."""
    r = rate(successes, trials, confidence)
    if trials == 0:
        return None, r, "no candidate qualifies, not testable"
    if rule == "majority":
        return r["rate"] > share, r, rate_text(r)
    if rate(trials, trials, confidence)["low"] <= share:
        return None, r, (f"{rate_text(r)}; too few qualify for the interval to exclude "
                         f"≤ {100 * share:g}% even if all met it, not testable")
    return r["low"] > share, r, rate_text(r)


def trajectory_numbers(lengths: pd.DataFrame, distances: pd.DataFrame, criteria: dict,
                       confidence: float) -> dict:
    forget_length, meet_distance = criteria["forget_length"], criteria["meet_distance"]
    meet_from, share, rule = criteria["meet_from"], criteria["share"], criteria["rule"]
    per = candidate_results(lengths, distances, forget_length, meet_distance, meet_from)
    probe_length = int(lengths.loc[lengths["probe"] == "first_word", "length"].max())
    models, outcomes, measured = {}, {}, {}
    checks = {"meets": "stop-prefix states meet", "apart": "stop-prefix states stay apart",
              "stays_right": f"every one-word probe right up to {probe_length}",
              "forgets": f"every one-word pair wrong beyond {forget_length}",
              "swap_both": "swapped pair: both right", "swap_one": "swapped pair: one wrong"}
    order = sorted(per["model"].unique(), key=lambda m: (m not in MODELS, MODELS.index(m)
                                                          if m in MODELS else 0, m))
    for model in order:
        group = per[per["model"] == model]
        q = group[group["qualifies"]]
        met = {"meets": q["meets"], "apart": q["apart"], "stays_right": q["stays_right"],
               "forgets": q["forgets"], "swap_both": q["swap_right"] == 2,
               "swap_one": q["swap_right"] == 1}
        summary = {"candidates": int(len(group)), "qualifying": int(len(q)),
                   "probe_pairs": int(group["probe_pairs"].iloc[0]),
                   # descriptive: the pairs of one candidate are not independent trials
                   "pairs": int(q["probe_pairs"].sum()),
                   "pairs_right": int(q["pairs_right"].sum()),
                   "pairs_forgotten": int(q["pairs_forgotten"].sum()),
                   "median_right_up_to": _median(q["right_up_to"]),
                   "median_forgotten_by": _median(q["forgotten_by"].dropna()),
                   "never_forgotten": int(q["forgotten_by"].isna().sum()),
                   "median_tail_distance_max": _median(q["tail_distance_max"]),
                   "median_one_word_distance": _median(q["one_word_distance"]),
                   "studied": _studied(group)}
        for name, values in met.items():
            outcome, r, text = decide(int(values.sum()), len(q), share, rule, confidence)
            summary[name] = r
            outcomes[(model, name)] = outcome
            measured[(model, name)] = f"{model.upper()}, {checks[name]}: {text}"
        models[model] = summary

    def part(model: str, name: str) -> tuple[list[str], list[bool | None]]:
        if model not in models:
            return [f"{model.upper()}: not in this run, not testable"], [None]
        return [measured[(model, name)]], [outcomes[(model, name)]]

    def both(*parts: tuple[str, str]) -> tuple[list[str], list[bool | None]]:
        texts, results = [], []
        for model, name in parts:
            t, o = part(model, name)
            texts += t
            results += o
        return texts, results

    majority = (f"the exact {100 * confidence:g}% interval of the share of qualifying "
                f"candidates meeting it lies above {100 * share:g}% (not testable with too few "
                "to show that)" if rule == "interval"
                else f"more than {100 * share:g}% of the qualifying candidates meet it")
    qualifying = sum(models[m]["qualifying"] for m in MODELS if m in models)
    rule_keys = (f"{KEY}.share", f"{KEY}.rule", "report.confidence")
    stop_text, stop_outcomes = both(("gru", "meets"), ("rnn", "apart"))
    if models:
        stop_text.append(f"medians of the largest distance from word {meet_from}: " + ", ".join(
            f"{m.upper()} {_fmt(models[m]['median_tail_distance_max'])}" for m in models))
    forget_text, forget_outcomes = part("rnn", "forgets")
    if probe_length <= forget_length:
        forget_text = [f"probes of {probe_length} words reach no length beyond "
                       f"{forget_length}, not testable"]
        forget_outcomes = [None]
    right_text, right_outcomes = part("gru", "stays_right")
    swap_text, swap_outcomes = both(("rnn", "swap_both"), ("gru", "swap_one"))
    return studied_result(lengths, {
        "models": models, "probe_length": probe_length,
        "candidates": [_plain(row) for row in per.to_dict(orient="records")]}, [
        ("the GRU ignores stop words: the states of the stop-prefix pair meet from the 7th "
         "word on; the RNN's never do",
         f"per candidate, the distance between the states of the pair (3 stop words vs "
         f"positive, negative, stop: both net 0, same 7-word tail) at every word from "
         f"{meet_from} to 10: the GRU's states meet (≤ {meet_distance:g} at each), the RNN's "
         f"stay apart (> {meet_distance:g} at each); each model's claim holds where "
         f"{majority}",
         stop_text, stop_outcomes,
         (f"{KEY}.meet_distance", f"{KEY}.meet_from", *rule_keys), qualifying),
        ("the RNN forgets a lone first word after ~15-30 words",
         f"per RNN candidate, every one-word pair (each positive/negative first word × each "
         f"stop stream: one stop word repeated, per stop word, and random streams) has a "
         f"misclassified probe at every length beyond {forget_length}; holds where {majority}",
         forget_text, forget_outcomes, (f"{KEY}.forget_length", *rule_keys),
         models.get("rnn", {}).get("qualifying", 0)),
        ("the GRU classifies a lone first word right up to 2000 words",
         f"per GRU candidate, every probe of every one-word pair is right at every length "
         f"1 … {probe_length} (`experiments.e4_trajectories.probe_length`; the seed's 2000); "
         f"holds where {majority}",
         right_text, right_outcomes, ("experiments.e4_trajectories.probe_length", *rule_keys),
         models.get("gru", {}).get("qualifying", 0)),
        ("on the adjacent-swap pair the RNN classifies both right, the GRU misclassifies one",
         f"per candidate, the two length-10 sequences with equal counts (one adjacent "
         f"positive/negative pair swapped): the RNN right on both, the GRU wrong on exactly "
         f"one; each model's claim holds where {majority}",
         swap_text, swap_outcomes, rule_keys, qualifying),
    ])


def _median(values) -> float | None:
    values = np.asarray(values, float)
    return float(np.median(values)) if len(values) else None


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _plain(row: dict) -> dict:
    """JSON values: numpy scalars as Python ones, NaN as None."""
    return {k: None if v is None or (isinstance(v, float) and np.isnan(v))
            else (v.item() if hasattr(v, "item") else v) for k, v in row.items()}


def _studied(group: pd.DataFrame) -> dict:
    return _plain(group[group["selected"]].iloc[0].to_dict())


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return trajectory_numbers(tables["e4_trajectories_lengths"],
                              tables["e4_trajectories_distances"],
                              report["e4_trajectories"], report["confidence"])
