"""E3's claims (seed 001 §IV.A): sentiment words become linearly separable in W_ih·x;
W_oh·W_ih·x lies on a line.

Judged over every candidate reaching the experiment's threshold, each with its trained and
its untrained weights (the same candidate before training), per model and shape:

- separable: the positive and the negative words' W_ih·x are separated by a line with a
  normalized margin (`normalized_margin`) of at least `report.e3_word_geometry.min_margin`.
  "Become" holds where trained candidates are separable significantly more often than their
  own untrained weights (exact McNemar test: a one-sided binomial test on the candidates
  whose outcome training changed).
- on a line: σ2/σ1 of the 10 centered points W_oh·W_ih·x is at most
  `report.e3_word_geometry.line_spread`, judged the same way against the untrained weights.
- beyond the readout's mechanics: with a two-class softmax the two columns of W_oh get
  opposite gradients, so their sum keeps its initial value while their difference grows;
  W_oh then flattens any cloud of points towards a line by itself. Its own σ2/σ1
  (`readout_flatness`, the line measure of a round cloud read out by W_oh) is the
  mechanical baseline: the line is more than mechanical where the words' points are
  flatter than that (one-sided Wilcoxon signed-rank test of σ2/σ1 − W_oh's σ2/σ1).
"""
import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..analysis.e3_word_geometry import TRAINED, UNTRAINED
from ..naming import MODEL_NAMES, shape_label
from .compare import studied_result
from .stats import median_interval, median_text, p_text, rate, rate_text

KEYS = "report.e3_word_geometry"


def linearly_separable(a: np.ndarray, b: np.ndarray, epochs: int = 10000) -> bool:
    """Whether a hyperplane separates point sets a and b (perceptron on scaled points; it
    converges exactly when they are separable, so a cap only matters for tiny margins)."""
    points = np.concatenate([a, b]).astype(np.float64)
    scale = np.abs(points).max() or 1.0
    x = np.hstack([points / scale, np.ones((len(points), 1))])
    y = np.concatenate([np.ones(len(a)), -np.ones(len(b))])
    w = np.zeros(x.shape[1])
    for _ in range(epochs):
        wrong = y * (x @ w) <= 0
        if not wrong.any():
            return True
        w += (y[wrong, None] * x[wrong]).sum(0)
    return False


def hull_gap(a: np.ndarray, b: np.ndarray) -> float:
    """The distance between the convex hulls of point sets a and b: 0 where they meet (no
    line separates them), else the width of the widest empty band between them (twice the
    margin of the best separating line). A small quadratic program: the closest pair of
    convex combinations, solved by SLSQP."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = len(a), len(b)

    def gap2(z):
        d = z[:na] @ a - z[na:] @ b
        return d @ d

    def grad(z):
        d = z[:na] @ a - z[na:] @ b
        return np.concatenate([2 * a @ d, -2 * b @ d])

    scale = np.abs(np.concatenate([a, b])).max()
    if scale == 0:
        return 0.0
    a, b = a / scale, b / scale
    start = np.concatenate([np.full(na, 1 / na), np.full(nb, 1 / nb)])
    result = optimize.minimize(
        gap2, start, jac=grad, method="SLSQP", bounds=[(0, 1)] * (na + nb),
        constraints=[{"type": "eq", "fun": lambda z: z[:na].sum() - 1},
                     {"type": "eq", "fun": lambda z: z[na:].sum() - 1}],
        options={"ftol": 1e-16, "maxiter": 1000})
    return float(np.sqrt(max(result.fun, 0.0)) * scale)


def normalized_margin(a: np.ndarray, b: np.ndarray) -> float:
    """`hull_gap` over the largest distance between any two of the points (0 … 1): 0 when
    no line separates a from b, 1 when each set is one point. Scale free; at least 1/2
    whenever the band between the sets is as wide as both sets' own extents together."""
    points = np.concatenate([a, b]).astype(np.float64)
    diameter = float(max(np.linalg.norm(p - q) for p in points for q in points))
    return hull_gap(a, b) / diameter if diameter > 0 else 0.0


def line_spread(points: np.ndarray) -> float:
    """How far points are from lying on one line: σ2/σ1 of the centered points (0 = a line)."""
    centered = points - points.mean(0)
    singular = np.linalg.svd(centered, compute_uv=False)
    return float(singular[1] / singular[0]) if len(singular) > 1 and singular[0] > 0 else 0.0


def readout_flatness(w_out: np.ndarray) -> float:
    """σ2/σ1 of the readout W_oh [H, C]: the `line_spread` it gives a round cloud of points
    (covariance I maps to W_ohᵀW_oh), so the line the readout draws by itself."""
    singular = np.linalg.svd(np.asarray(w_out, np.float64), compute_uv=False)
    return float(singular[1] / singular[0]) if len(singular) > 1 and singular[0] > 0 else 0.0


def candidate_geometry(words: pd.DataFrame, readout: pd.DataFrame) -> dict:
    """One candidate's measures, from its rows (one `weights`) of the two tables."""
    spaces = {space: part.pivot(index=["word", "kind"], columns="component", values="value")
              for space, part in words.groupby("space")}

    def kind_points(space, kind):
        points = spaces[space]
        return points[points.index.get_level_values("kind") == kind].to_numpy()

    norms = np.linalg.norm(spaces["input"].to_numpy(), axis=1)
    stop = spaces["input"].index.get_level_values("kind") == "stop"
    w_out = readout.pivot(index="unit", columns="class", values="value").to_numpy()
    return {
        "margin_embedding": normalized_margin(kind_points("embedding", "positive"),
                                              kind_points("embedding", "negative")),
        "margin_input": normalized_margin(kind_points("input", "positive"),
                                          kind_points("input", "negative")),
        "line_spread": line_spread(spaces["output"].to_numpy()),
        "readout_flatness": readout_flatness(w_out),
        "column_sum": w_out.sum(1).tolist(),
        "readout_norm": float(np.linalg.norm(w_out)),
        "stop_word_ratio": float(norms[stop].mean() / norms[~stop].mean()),
    }


def paired_gain(trained: list[bool], untrained: list[bool]) -> dict:
    """Exact McNemar test of 'true more often trained than untrained' over paired outcomes:
    a one-sided binomial test of the candidates that training made true (gained) against
    those it made false (lost)."""
    gained = int(sum(bool(t) and not u for t, u in zip(trained, untrained, strict=True)))
    lost = int(sum(bool(u) and not t for t, u in zip(trained, untrained, strict=True)))
    p = (float(stats.binomtest(gained, gained + lost, 0.5, alternative="greater").pvalue)
         if gained + lost else 1.0)
    return {"gained": gained, "lost": lost, "p": p}


def can_reject(pairs: int, alpha: float) -> bool:
    """Whether a one-sided paired test (McNemar, sign, signed-rank) of this many candidates
    can reach p < alpha at all: its least p is 1/2^pairs (every pair the same way)."""
    return pairs > 0 and 0.5 ** pairs < alpha


def geometry_numbers(vectors: pd.DataFrame, readout: pd.DataFrame, min_margin: float,
                     spread: float, alpha: float, confidence: float) -> dict:
    """Per model and shape: every candidate's measures, trained and untrained; the claims
    compare, over the candidates reaching the threshold, trained with untrained weights and
    the line with the readout's own flatness."""
    keys = ["model", "input_dim", "hidden_dim"]
    models = {}
    for (model, i, h), group in vectors.groupby(keys):
        weights_of = readout[(readout["model"] == model) & (readout["input_dim"] == i)
                             & (readout["hidden_dim"] == h)]
        per = {}
        for (init, weights), rows in group.groupby(["init", "weights"]):
            w = weights_of[(weights_of["init"] == init) & (weights_of["weights"] == weights)]
            per[(int(init), weights)] = candidate_geometry(rows, w)
        reached = sorted({int(init) for init, acc, bar in zip(group["init"],
                                                               group["final_val_acc"],
                                                               group["min_val_acc"])
                          if acc >= bar})
        selected = int(group["selected_init"].iloc[0])
        trained = [per[(k, TRAINED)] for k in reached]
        untrained = [per[(k, UNTRAINED)] for k in reached]
        sep_t = [c["margin_input"] >= min_margin for c in trained]
        sep_u = [c["margin_input"] >= min_margin for c in untrained]
        line_t = [c["line_spread"] <= spread for c in trained]
        line_u = [c["line_spread"] <= spread for c in untrained]
        rho = [c["line_spread"] for c in trained]
        kappa = [c["readout_flatness"] for c in trained]
        # how far training moved W_oh's column sum, relative to the trained W_oh's size
        drift = [float(np.linalg.norm(np.subtract(t["column_sum"], u["column_sum"]))
                       / max(t["readout_norm"], 1e-30))
                 for t, u in zip(trained, untrained, strict=True)]

        def medians(values):
            return median_interval(values, confidence) if values else None

        models[f"{model} {shape_label(i, h)}"] = {
            "model": model, "shape": shape_label(i, h), "reaching": len(reached),
            "studied": {**per[(selected, TRAINED)],
                        "untrained": per[(selected, UNTRAINED)]},
            "separable": {"trained": rate(sum(sep_t), len(reached), confidence),
                          "untrained": rate(sum(sep_u), len(reached), confidence),
                          **paired_gain(sep_t, sep_u)},
            "line": {"trained": rate(sum(line_t), len(reached), confidence),
                     "untrained": rate(sum(line_u), len(reached), confidence),
                     **paired_gain(line_t, line_u)},
            "beyond": {"below": int(sum(r < k for r, k in zip(rho, kappa, strict=True))),
                       "p": _signed_rank_less(rho, kappa)},
            "median_margin": {"trained": medians([c["margin_input"] for c in trained]),
                              "untrained": medians([c["margin_input"] for c in untrained])},
            "median_line_spread": {"trained": medians(rho),
                                   "untrained": medians([c["line_spread"] for c in untrained])},
            "median_readout_flatness": {
                "trained": medians(kappa),
                "untrained": medians([c["readout_flatness"] for c in untrained])},
            "column_sum_drift": max(drift) if drift else None,
        }

    claims = [_become(models, "separable", min_margin, spread, alpha),
              _become(models, "line", min_margin, spread, alpha),
              _beyond(models, alpha)]
    behind = sum(m["reaching"] for m in models.values())
    numbers = {"models": models,
               "studied": {name: {k: v for k, v in m["studied"].items() if k != "untrained"}
                           for name, m in models.items()}}
    return studied_result(vectors, numbers, [(*c, behind) for c in claims])


def _signed_rank_less(a: list[float], b: list[float]) -> float | None:
    """One-sided p of 'a below b' (Wilcoxon signed-rank on the pairs); None without pairs."""
    if not a:
        return None
    d = np.subtract(a, b)
    if not np.any(d):
        return 1.0
    return float(stats.wilcoxon(d, alternative="less").pvalue)


def _untestable(m: dict, alpha: float) -> str | None:
    """Why a model's comparison is not testable, or None."""
    if not m["reaching"]:
        return "no candidate reached the threshold, not testable"
    if not can_reject(m["reaching"], alpha):
        return (f"{m['reaching']} candidates reached the threshold, too few for the paired "
                f"test to reach p < {alpha:g} at all, not testable")
    return None


def _become(models: dict, which: str, min_margin: float, spread: float,
            alpha: float) -> tuple:
    measured, outcomes = [], []
    for name, m in models.items():
        r = m[which]
        text = (f"{MODEL_NAMES[m['model']]} {m['shape']}: trained {rate_text(r['trained'])}, "
                f"untrained {rate_text(r['untrained'])}")
        why = _untestable(m, alpha)
        if why:
            measured.append(f"{text}: {why}")
            outcomes.append(None)
            continue
        measured.append(f"{text}; training gained {r['gained']}, lost {r['lost']}, "
                        f"{p_text(r['p'])}")
        outcomes.append(r["p"] < alpha)
    if which == "separable":
        return ("sentiment words become linearly separable (W_ih·x)",
                f"per model and shape, over every candidate reaching the threshold: a line "
                f"separates the positive from the negative words' W_ih·x with a normalized "
                f"margin (gap between the two classes over the four points' largest distance) "
                f"of at least {min_margin:g}, significantly more often with the trained weights "
                f"than with the same candidates' untrained weights (exact McNemar test, "
                f"p < {alpha:g}); not testable where too few candidates reach the threshold "
                f"for the test to reject at all",
                measured, outcomes,
                (f"{KEYS}.min_margin", "report.alpha",
                 "experiments.e3_word_geometry.min_val_acc"))
    return ("W_oh·W_ih·x lies on a line",
            f"per model and shape, over every candidate reaching the threshold: the 10 "
            f"points' σ2/σ1 (centered) is at most {spread:g}, significantly more often with "
            f"the trained weights than with the same candidates' untrained weights (exact "
            f"McNemar test, p < {alpha:g}); not testable as above",
            measured, outcomes,
            (f"{KEYS}.line_spread", "report.alpha", "experiments.e3_word_geometry.min_val_acc"))


def _beyond(models: dict, alpha: float) -> tuple:
    measured, outcomes = [], []
    for name, m in models.items():
        rho, kappa = m["median_line_spread"]["trained"], m["median_readout_flatness"]["trained"]
        text = (f"{MODEL_NAMES[m['model']]} {m['shape']}: median σ2/σ1 of the points "
                f"{median_text(rho)}, of W_oh {median_text(kappa)}")
        why = _untestable(m, alpha)
        if why:
            measured.append(f"{text}: {why}")
            outcomes.append(None)
            continue
        b = m["beyond"]
        measured.append(f"{text}; points flatter in {b['below']} of {m['reaching']}, "
                        f"{p_text(b['p'])}")
        outcomes.append(b["p"] < alpha)
    return ("W_oh·W_ih·x lies on a line, beyond what the softmax makes of the readout",
            f"per model and shape, over every candidate reaching the threshold: the trained "
            f"points' σ2/σ1 is below the trained readout W_oh's own σ2/σ1 (the line W_oh draws "
            f"from a round cloud, flattened by the softmax's fixed column sum) (one-sided "
            f"Wilcoxon signed-rank test, p < {alpha:g}); not testable as above",
            measured, outcomes, ("report.alpha", "experiments.e3_word_geometry.min_val_acc"))


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    config = report["e3_word_geometry"]
    return geometry_numbers(tables["e3_word_geometry_vectors"],
                            tables["e3_word_geometry_readout"], config["min_margin"],
                            config["line_spread"], report["alpha"], report["confidence"])
