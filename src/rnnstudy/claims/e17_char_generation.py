"""E17 (seed 003 §3; seed 002's dropout tip): temperature sampling, and dropout.

Seed 003: lowering the temperature "makes the model more confident", raising it "provides
more diversity … but at the cost of mistakes" (its greedy samples fall into loops like
"the the the"). Measured on the samples of the first configured variant (`none`: seed 003's
model) at every configured temperature: sample i of a model starts from the same character
and draws with the same uniforms at every temperature, so each adjacent pair of temperatures
is compared sample by sample (one-sided Wilcoxon signed-rank test over all models' samples).

Seed 002 (after Zaremba et al. 2014): dropout is "always good along depth, but NOT along
time". Each variant's replicate r starts from the same weights and reads the same windows,
so the variants are compared replicate by replicate on the final validation bits per
character (one-sided signed-rank test; with fewer than ⌈log2(1/alpha)⌉ + 1 replicates no
outcome could reject, and the comparison is not testable).
"""
import json

import pandas as pd

from ..analysis.e17_char_generation import distinct_fraction, final_bits
from .stats import median_interval, p_text, paired_lower, paired_test_can_reject
from .verdict import claim

KEYS = ["replicate", "sample"]


def decoded(frame: pd.DataFrame) -> pd.DataFrame:
    """Prompts and texts back from their JSON literals."""
    return frame.assign(prompt=frame["prompt"].map(json.loads),
                        text=frame["text"].map(json.loads))


def temperature_measures(measures: pd.DataFrame, n: int, confidence: float) -> list[dict]:
    rows = []
    for t, g in measures.groupby("temperature"):
        rows.append({"temperature": float(t), "samples": int(len(g)),
                     "models": int(g["replicate"].nunique()),
                     **{m: median_interval(g[m], confidence)
                        for m in ("log2_prob", "entropy", "distinct")}})
    return rows


def _paired(measures: pd.DataFrame, low: float, high: float, column: str):
    a = measures[measures["temperature"] == low].set_index(KEYS)[column]
    b = measures[measures["temperature"] == high].set_index(KEYS)[column]
    both = pd.concat([a.rename("low"), b.rename("high")], axis=1, join="inner").dropna()
    return both["low"], both["high"]


def temperature_claim(measures: pd.DataFrame, temperatures: list[float], column: str,
                      rises: bool, alpha: float, text: str, what: str) -> dict:
    """`column` rises (or falls) from each temperature to the next, sample by sample."""
    measured, outcomes, pairs, models = [], [], 0, int(measures["replicate"].nunique())
    for low, high in zip(temperatures, temperatures[1:]):
        a, b = _paired(measures, low, high, column)
        pairs = max(pairs, len(a))
        change = f"T = {low:g} → {high:g}: median {a.median():.3f} → {b.median():.3f}"
        if not paired_test_can_reject(len(a), alpha):
            measured.append(f"{change} ({len(a)} pairs: too few for a test)")
            outcomes.append(None)
            continue
        p = paired_lower(a, b) if rises else paired_lower(b, a)
        measured.append(f"{change} ({len(a)} pairs, signed-rank {p_text(p)})")
        outcomes.append(p < alpha)
    direction = "higher" if rises else "lower"
    return claim(text, f"{what} is {direction} at each next temperature, sample by sample "
                       f"(one-sided Wilcoxon signed-rank, p < {alpha:g})", measured, outcomes,
                 keys=("report.alpha", "report.e17_char_generation.ngram")
                 if column == "distinct" else ("report.alpha",),
                 models=pairs, unit=f"sample pairs per comparison, from {models} model(s)")


def dropout_rows(final: pd.DataFrame, variants: list[str], confidence: float) -> list[dict]:
    rows = []
    for variant in variants:
        g = final[final["variant"] == variant].sort_values("replicate")
        rows.append({"variant": variant, "dropout": float(g["dropout"].iloc[0]),
                     "validation_bits": median_interval(g["validation_bits"], confidence),
                     "replicates": [float(v) for v in g["validation_bits"]]})
    return rows


def worse(final: pd.DataFrame, better: str, worse_: str, alpha: float) -> tuple[str, bool | None]:
    """Is `better`'s validation bits/char lower than `worse_`'s, replicate by replicate?"""
    present = set(final["variant"])
    if better not in present or worse_ not in present:
        missing = " and ".join(v for v in (better, worse_) if v not in present)
        return f"{better} vs {worse_}: {missing} not in this run", None
    a = final[final["variant"] == better].set_index("replicate")["validation_bits"]
    b = final[final["variant"] == worse_].set_index("replicate")["validation_bits"]
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner")
    text = (f"{better} {both['a'].median():.4f} vs {worse_} {both['b'].median():.4f} bits/char "
            f"(medians; {better} lower in {int((both['a'] < both['b']).sum())} of {len(both)} "
            "replicates")
    if not paired_test_can_reject(len(both), alpha):
        return f"{text}: too few for a test)", None
    p = paired_lower(both["a"], both["b"])
    return f"{text}, signed-rank {p_text(p)})", p < alpha


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    criteria, alpha = report["e17_char_generation"], report["alpha"]
    confidence = report["confidence"]
    curves = tables["e17_char_generation_curves"]
    main = section["variants"][0]
    samples = decoded(tables["e17_char_generation_samples"])
    shown = samples[(samples["variant"] == main) & (samples["replicate"] == 0)]
    measures = decoded(tables["e17_char_generation_measures"])
    measures = measures[measures["variant"] == main].assign(
        distinct=lambda m: m["text"].map(lambda s: distinct_fraction(s, criteria["ngram"])))
    final = final_bits(curves)
    temperatures = sorted(float(t) for t in section["temperatures"])
    counted = final[final["variant"] == main]

    snapshots = [{"step": int(step), "prompt": g["prompt"].iloc[0],
                  "texts": [g[g["temperature"] == t]["text"].iloc[0]
                            for t in [0.0, *temperatures]]}
                 for step, g in shown[shown["kind"] == "snapshot"].groupby("step")]
    prefix = [{"temperature": float(r.temperature), "text": r.text}
              for r in shown[shown["kind"] == "prefix"].sort_values("temperature").itertuples()]
    main_curve = curves[(curves["variant"] == main) & (curves["replicate"] == 0)]
    last = main_curve.sort_values("step").iloc[-1]
    learned = {
        "validation_bits": float(last["validation_bits"]),
        "validation_accuracy": float(last["validation_accuracy"]),
        "train_accuracy": float(last["train_accuracy"]),
        "steps": int(last["step"]),
        "initial_bits": float(main_curve.sort_values("step")["validation_bits"].iloc[0]),
        "entropy_rate": None if pd.isna(last["entropy_rate"]) else float(last["entropy_rate"]),
        "source_bits": None if pd.isna(last["source_bits"]) else float(last["source_bits"]),
        "replicates": median_interval(counted["validation_bits"], confidence),
        # validation minus training bits at the end (training: the mean of the last
        # evaluate_every steps); above 0 the models overfit, which dropout could cure
        "overfit": median_interval(counted["validation_bits"] - counted["train_bits"],
                                   confidence)}

    between = [worse(final, "between", "none", alpha)]
    recurrent = [worse(final, "none", "recurrent", alpha),
                 worse(final, "between", "recurrent", alpha)]
    models = dict(models=int(len(final)), unit="trained models")
    return {
        "main_variant": main,
        "temperatures": [0.0, *temperatures],
        "snapshots": snapshots,
        "prefix": prefix,
        "learned": learned,
        "measures": temperature_measures(measures, criteria["ngram"], confidence),
        "dropout": dropout_rows(final, section["variants"], confidence),
        "claims": [
            temperature_claim(measures, temperatures, "entropy", True, alpha,
                              "lower temperature: the model is more confident",
                              "the mean entropy of the sampling distribution"),
            temperature_claim(measures, temperatures, "distinct", True, alpha,
                              "higher temperature: more diverse, less repetitive samples",
                              f"the fraction of distinct {criteria['ngram']}-grams in a sample"),
            temperature_claim(measures, temperatures, "log2_prob", False, alpha,
                              "higher temperature: more mistakes (samples less likely)",
                              "the mean log-probability of a sample's characters under the "
                              f"{measures['scorer'].iloc[0] if len(measures) else 'source'}"),
            claim("dropout between layers helps (seed 002, Zaremba et al.)",
                  "final validation bits/char lower with dropout between layers than without, "
                  f"replicate by replicate (one-sided Wilcoxon signed-rank, p < {alpha:g})",
                  [m for m, _ in between], [o for _, o in between], keys=("report.alpha",),
                  **models),
            claim("dropout on the recurrent connection does not help (Zaremba et al.: it "
                  "hurts)",
                  "final validation bits/char higher with dropout on the recurrent state "
                  "than without dropout, and than with dropout between layers, replicate by "
                  f"replicate (one-sided Wilcoxon signed-rank, p < {alpha:g})",
                  [m for m, _ in recurrent], [o for _, o in recurrent],
                  keys=("report.alpha",), **models),
        ],
    }
