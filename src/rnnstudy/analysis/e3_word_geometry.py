"""E3 (seed 001 §IV.A, Fig. 1): where a model puts each word, trained and untrained.

For every word x: its vector (the embedding), W_ih·x (what the word writes into the cell;
for a GRU the candidate-state rows W_in, for an LSTM the cell-input rows W_ig) and
W_oh·W_ih·x (that contribution read out directly). Biases are left out, as in the seed.
Every candidate is studied twice: with its trained weights and with its untrained ones (the
initial weights, drawn again from the member's init seed), so that what training changed
can be told from what random weights already show; the readout W_oh is kept too, because
part of the geometry of W_oh·W_ih·x is the readout's (see claims/e3_word_geometry.py).
"""
import numpy as np
import pandas as pd
import torch

from ..data.sentiment import Vocabulary
from ..models.classifier import PopulationClassifier

# Which block of W_ih writes the state: the only block (RNN), n (GRU r,z,n), g (LSTM i,f,g,o).
STATE_BLOCK = {"rnn": 0, "rnn_relu": 0, "gru": 2, "lstm": 2}
KINDS = {0: "stop", 1: "positive", -1: "negative"}
TRAINED, UNTRAINED = "trained", "untrained"


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


def readout_table(model: PopulationClassifier, params: torch.Tensor, fixed: torch.Tensor,
                  member: int) -> pd.DataFrame:
    """W_oh of one member, long format: one row per hidden unit (1-based) and class (0, 1 …
    as the labels)."""
    w_out = model.unflatten(params[member:member + 1], fixed[member:member + 1])["w_out"][0]
    return pd.DataFrame([{"unit": unit, "class": c, "value": float(w_out[unit - 1, c])}
                         for unit in range(1, w_out.shape[0] + 1)
                         for c in range(w_out.shape[1])])


def untrained_weights(model: PopulationClassifier, saved: dict) -> tuple[torch.Tensor,
                                                                          torch.Tensor]:
    """(params, fixed) every member of a weights file started from: drawn again from the
    saved init seeds, as the training job drew them (jobs/train.py). The fixed part (fixed
    word vectors, never trained) must come out equal to the saved one: a check that the
    draw is the same."""
    initial, fixed = model.init_population(saved["init_seeds"], saved["params"].dtype)
    if initial.shape != saved["params"].shape or not torch.equal(fixed, saved["fixed"]):
        raise ValueError("the untrained weights drawn again from the init seeds do not match "
                         "the weights file (different model layout or draw)")
    return initial, fixed
