"""E3's claims (seed 001 §IV.A): sentiment words become linearly separable in W_ih·x;
W_oh·W_ih·x lies on a line."""
import numpy as np
import pandas as pd

from ..naming import MODEL_NAMES
from .compare import studied_result

LINE_SPREAD = 0.05  # "on a line" if σ2/σ1 of the centered points is at most this


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


def line_spread(points: np.ndarray) -> float:
    """How far points are from lying on one line: σ2/σ1 of the centered points (0 = a line)."""
    centered = points - points.mean(0)
    singular = np.linalg.svd(centered, compute_uv=False)
    return float(singular[1] / singular[0]) if len(singular) > 1 and singular[0] > 0 else 0.0


def geometry_numbers(vectors: pd.DataFrame) -> dict:
    """E3: are positive and negative words linearly separable in W_ih·x space, and does
    W_oh·W_ih·x lie on a line?"""
    models = {}
    separable, separable_outcomes, line, line_outcomes = [], [], [], []
    for model, data in vectors.groupby("model"):
        spaces = {space: part.pivot(index=["word", "kind"], columns="component", values="value")
                  for space, part in data.groupby("space")}

        def kind_points(space, kind):
            points = spaces[space]
            return points[points.index.get_level_values("kind") == kind].to_numpy()

        result = {
            "separable_embedding": linearly_separable(kind_points("embedding", "positive"),
                                                      kind_points("embedding", "negative")),
            "separable_input": linearly_separable(kind_points("input", "positive"),
                                                  kind_points("input", "negative")),
            "output_line_spread": line_spread(spaces["output"].to_numpy()),
        }
        norms = np.linalg.norm(spaces["input"].to_numpy(), axis=1)
        stop = spaces["input"].index.get_level_values("kind") == "stop"
        result["stop_word_ratio"] = float(norms[stop].mean() / norms[~stop].mean())
        models[model] = result
        name = MODEL_NAMES[model]
        separable.append(f"{name}: {'separable' if result['separable_input'] else 'not separable'}")
        separable_outcomes.append(result["separable_input"])
        line.append(f"{name}: σ2/σ1 = {result['output_line_spread']:.3f}")
        line_outcomes.append(result["output_line_spread"] <= LINE_SPREAD)
    return studied_result(vectors, {"models": models}, [
        ("sentiment words become linearly separable",
         "per model, a line separates the positive from the negative words in W_ih·x",
         separable, separable_outcomes),
        ("W_oh·W_ih·x lies on a line",
         f"per model, the 10 points' second singular value is at most "
         f"{LINE_SPREAD:g} of the first (centered)", line, line_outcomes),
    ])


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return geometry_numbers(tables["e3_word_geometry_vectors"])
