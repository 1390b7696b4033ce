"""E3 (seed 001 §IV.A, Fig. 1): where a trained model puts each word.

For every word x: its vector (the embedding), W_ih·x (what the word writes into the cell;
for a GRU the candidate-state rows W_in, for an LSTM the cell-input rows W_ig) and
W_oh·W_ih·x (that contribution read out directly). Biases are left out, as in the seed.
"""
import numpy as np
import pandas as pd
import torch

from ..data.sentiment import Vocabulary
from ..models.classifier import PopulationClassifier
from ..naming import MODEL_NAMES
from .compare import studied_result

LINE_SPREAD = 0.05  # "on a line" if σ2/σ1 of the centered points is at most this

# Which block of W_ih writes the state: the only block (RNN), n (GRU r,z,n), g (LSTM i,f,g,o).
STATE_BLOCK = {"rnn": 0, "rnn_relu": 0, "gru": 2, "lstm": 2}
KINDS = {0: "stop", 1: "positive", -1: "negative"}


def word_spaces(model: PopulationClassifier, params: torch.Tensor, fixed: torch.Tensor,
                member: int) -> dict[str, np.ndarray]:
    """The three [V, ·] point sets of one member."""
    w = model.unflatten(params[member:member + 1], fixed[member:member + 1])
    hidden, block = model.hidden_dim, STATE_BLOCK[model.model]
    words = w["embedding"][0]  # [V, I]
    into_state = words @ w["w_ih"][0][:, block * hidden:(block + 1) * hidden]  # [V, H]
    read_out = into_state @ w["w_out"][0]  # [V, C]
    return {"embedding": words.numpy(), "input": into_state.numpy(), "output": read_out.numpy()}


def word_table(spaces: dict[str, np.ndarray], vocabulary: Vocabulary) -> pd.DataFrame:
    """Long format: one row per word, space and component."""
    kinds = [KINDS[int(s)] for s in vocabulary.sentiment()]
    rows = []
    for space, points in spaces.items():
        for word, point in enumerate(points):
            for component, value in enumerate(point, start=1):
                rows.append({"word": word, "kind": kinds[word], "space": space,
                             "component": component, "value": float(value)})
    return pd.DataFrame(rows)


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


def stop_word_ratio(into_state: np.ndarray, vocabulary: Vocabulary) -> float:
    """Mean ‖W_ih·x‖ of stop words over that of sentiment words (0 = stop words in the
    null space of W_ih, the seed's expectation)."""
    sentiment = vocabulary.sentiment()
    norms = np.linalg.norm(into_state, axis=1)
    return float(norms[sentiment == 0].mean() / norms[sentiment != 0].mean())


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
