"""E4 (seed 001 §IV.B, Fig. 2): hidden-state trajectories of probe pairs on the count task.

Three pairs, built from the vocabulary's first stop/positive/negative words:
- `stop_prefix`: three stop words vs three sentiment words, then the same 7-word tail;
- `first_word`: one positive (A) or negative (B) word followed by stop words only, up to
  `length` words. Every prefix of it is a probe too, so one pass scores every length;
- `adjacent_swap`: equal word counts, one adjacent positive/negative pair swapped.
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ..data.sentiment import Vocabulary, label
from ..models.classifier import PopulationClassifier


@dataclass(frozen=True)
class Probe:
    name: str
    sequence: str  # "A" or "B"
    tokens: tuple[int, ...]
    every_prefix: bool = False  # score each prefix as a probe of its own length


def probe_pairs(vocabulary: Vocabulary, length: int) -> list[Probe]:
    stop = list(range(vocabulary.stop))
    pos = list(range(vocabulary.stop, vocabulary.stop + vocabulary.positive))
    neg = list(range(vocabulary.stop + vocabulary.positive, vocabulary.size))

    def stops(n: int) -> list[int]:
        return [stop[i % len(stop)] for i in range(n)]

    tail = [pos[0], stop[0], pos[-1], stop[-1], neg[0], pos[0], stop[1 % len(stop)]]  # net +2
    swap = [stop[0], pos[0], neg[0], stop[1 % len(stop)], pos[-1], stop[0], neg[-1], pos[0],
            stop[-1], stop[0]]  # 3 positive, 2 negative
    swapped = swap.copy()
    swapped[1], swapped[2] = swapped[2], swapped[1]
    return [
        Probe("stop_prefix", "A", tuple(stops(3) + tail)),
        Probe("stop_prefix", "B", tuple([neg[0], pos[0], neg[-1]] + tail)),
        Probe("first_word", "A", tuple([pos[0]] + stops(length - 1)), every_prefix=True),
        Probe("first_word", "B", tuple([neg[0]] + stops(length - 1)), every_prefix=True),
        Probe("adjacent_swap", "A", tuple(swap)),
        Probe("adjacent_swap", "B", tuple(swapped)),
    ]


@torch.no_grad()
def run_probe(model: PopulationClassifier, params: torch.Tensor, fixed: torch.Tensor,
              member: int, probe: Probe, vocabulary: Vocabulary) -> pd.DataFrame:
    """One row per step: hidden state and P(positive). Steps where a probe ends (the last,
    or every step of an every-prefix probe) are scored against the probe's count label."""
    tokens = torch.tensor([probe.tokens], dtype=torch.int64)  # [B=1, T]
    p, f = params[member:member + 1], fixed[member:member + 1]
    states = torch.stack(model.hidden_states(p, f, tokens))[:, 0, 0]  # [T, H]
    logits = model.readout(p, f, states[None])[0]  # the T states as one batch: [T, C]
    p_positive = torch.softmax(logits, dim=-1)[:, 1].numpy()
    labels, valid = label("count", np.array([probe.tokens]), vocabulary)
    assert valid[0], f"probe {probe} has no count label"
    steps = np.arange(1, len(probe.tokens) + 1)
    frame = pd.DataFrame({"probe": probe.name, "sequence": probe.sequence, "step": steps,
                          "word": probe.tokens})
    for unit in range(states.shape[1]):
        frame[f"h{unit + 1}"] = states[:, unit].numpy()
    frame["p_positive"] = p_positive
    frame["label"] = int(labels[0])
    scored = np.full(len(steps), probe.every_prefix)
    scored[-1] = True
    frame["scored"] = scored
    frame["correct"] = pd.array(np.where(scored, (p_positive > 0.5) == (labels[0] == 1), False),
                                dtype="boolean")
    frame.loc[~scored, "correct"] = pd.NA
    return frame


def longest_correct(correct: np.ndarray) -> int:
    """Longest n such that prefixes of 1 … n words are all classified correctly."""
    wrong = np.flatnonzero(~correct)
    return int(wrong[0]) if len(wrong) else len(correct)
