"""E4 (seed 001 §IV.B, Fig. 2): hidden-state trajectories of probe pairs on the count task.

Every probe is a pair of sequences, A and B, built from the vocabulary's words:
- `stop_prefix`: A starts with three stop words, B with a positive, a negative and the same
  third stop word (the prefixes differ only by stop words vs sentiment words of net
  sentiment 0), then the same 7-word tail. A model that ignores stop words (and counts)
  brings the two states together: their distance over the tail measures that.
- `first_word`: one positive (A) or negative (B) word followed by stop words only, up to
  `length` words, once per first-word pair (positive k vs negative k) and stop stream: one
  stop word repeated (one stream per stop word, so that no stop word's drift is averaged
  away by the others) and `random_streams` random stop streams (seeded from the run's
  identity). Every prefix is a probe too, so one pass scores every length.
- `adjacent_swap`: equal word counts, one adjacent positive/negative pair swapped.

`run_probes` runs every probe of one length through every candidate at once (one population
forward: candidates × probes × steps), not one candidate or step at a time.
"""
from dataclasses import dataclass

import numpy as np
import torch

from ..data.sentiment import Vocabulary
from ..models.classifier import PopulationClassifier
from ..seeding import derive_seed

PROBES = ("stop_prefix", "first_word", "adjacent_swap")
DENSE_STEPS = 50  # the long probes' states are recorded at every step up to here ...
STEPS_PER_DECADE = 20  # ... then at this many log-spaced steps per decade, and the last


@dataclass(frozen=True)
class Probe:
    name: str  # one of PROBES
    sequence: str  # "A" or "B"
    tokens: tuple[int, ...]
    pair: int = 0  # first_word: the first words are positive word k (A), negative word k (B)
    stream: str = ""  # first_word: the stop words that follow ("stop j" repeated, "random r")
    every_prefix: bool = False  # score each prefix as a probe of its own length


def stop_streams(vocabulary: Vocabulary, length: int, random_streams: int,
                 seed: int) -> dict[str, list[int]]:
    """Stop-word sequences of `length` words: each stop word repeated ("stop j"), then
    `random_streams` uniform random ones ("random r", from derive_seed(seed, ...))."""
    streams = {f"stop {j}": [j] * length for j in range(vocabulary.stop)}
    for r in range(1, random_streams + 1):
        rng = np.random.default_rng(derive_seed(seed, "e4_trajectories", "stop stream",
                                                vocabulary.stop, r))
        streams[f"random {r}"] = rng.integers(0, vocabulary.stop, length).tolist()
    return streams


def probe_pairs(vocabulary: Vocabulary, length: int, random_streams: int = 0,
                seed: int = 0) -> list[Probe]:
    """Every probe, in pairs (A then B): stop_prefix, adjacent_swap, then first_word per
    first-word pair and stop stream."""
    stop = list(range(vocabulary.stop))
    pos = list(range(vocabulary.stop, vocabulary.stop + vocabulary.positive))
    neg = list(range(vocabulary.stop + vocabulary.positive, vocabulary.size))

    def s(i: int) -> int:
        return stop[i % len(stop)]

    tail = [pos[0], s(0), pos[-1], s(-1), neg[0], pos[0], s(1)]  # net +2
    swap = [s(0), pos[0], neg[0], s(1), pos[-1], s(0), neg[-1], pos[0], s(-1), s(0)]  # 3:2
    swapped = swap.copy()
    swapped[1], swapped[2] = swapped[2], swapped[1]
    probes = [
        Probe("stop_prefix", "A", tuple([s(0), s(1), s(2)] + tail)),
        Probe("stop_prefix", "B", tuple([pos[0], neg[0], s(2)] + tail)),  # net 0, as A's
        Probe("adjacent_swap", "A", tuple(swap)),
        Probe("adjacent_swap", "B", tuple(swapped)),
    ]
    streams = stop_streams(vocabulary, length - 1, random_streams, seed)
    for k in range(max(len(pos), len(neg))):
        for name, stream in streams.items():
            for sequence, first in (("A", pos[k % len(pos)]), ("B", neg[k % len(neg)])):
                probes.append(Probe("first_word", sequence, tuple([first] + stream), k, name,
                                    every_prefix=True))
    return probes


def prefix_labels(tokens: np.ndarray, vocabulary: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Count labels of every prefix of `tokens` [..., T]: (labels, valid), each [..., T]
    (1 positive; a prefix with as many positive as negative words has none)."""
    balance = np.cumsum(vocabulary.sentiment()[tokens], axis=-1, dtype=np.int64)
    return (balance > 0).astype(np.uint8), balance != 0


@dataclass
class ProbeRun:
    """Every probe's states through every candidate: probe i → arrays over [P, T_i]."""
    probes: list[Probe]
    states: list[np.ndarray]  # [P, T, H] hidden state after each word
    p_positive: list[np.ndarray]  # [P, T] P(positive) read from that state
    labels: list[np.ndarray]  # [T] count label of each prefix
    scored: list[np.ndarray]  # [T] where a probe ends (the last step; every step if every_prefix)

    def correct(self, i: int) -> np.ndarray:
        """[P, T]: whether each prefix is classified right (meaningful where scored)."""
        return (self.p_positive[i] > 0.5) == (self.labels[i] == 1)[None]

    def pairs(self) -> list[tuple[int, int]]:
        """Indices (A, B) of each pair."""
        return [(i, i + 1) for i in range(0, len(self.probes), 2)]


@torch.no_grad()
def run_probes(model: PopulationClassifier, params: torch.Tensor, fixed: torch.Tensor,
               probes: list[Probe], vocabulary: Vocabulary) -> ProbeRun:
    """Hidden states and P(positive) of every probe for every candidate (rows of `params`):
    one forward per probe length, all candidates and probes of that length as one batch."""
    count = len(probes)
    states, p_positive = [None] * count, [None] * count
    for length in sorted({len(p.tokens) for p in probes}):
        index = [i for i, p in enumerate(probes) if len(p.tokens) == length]
        tokens = torch.tensor([probes[i].tokens for i in index], dtype=torch.int64)  # [B, T]
        h = torch.stack(model.hidden_states(params, fixed, tokens), dim=2)  # [P, B, T, H]
        members, batch, steps, hidden = h.shape
        logits = model.readout(params, fixed, h.reshape(members, batch * steps, hidden))
        p = torch.softmax(logits.double(), dim=-1)[..., 1].reshape(members, batch, steps)
        for j, i in enumerate(index):
            states[i], p_positive[i] = h[:, j].double().numpy(), p[:, j].numpy()
    labels, scored = [], []
    for p in probes:
        label, valid = prefix_labels(np.array(p.tokens), vocabulary)
        ends = np.full(len(p.tokens), p.every_prefix)
        ends[-1] = True
        assert valid[ends].all(), f"probe {p} has no count label where it is scored"
        labels.append(label)
        scored.append(ends)
    return ProbeRun(list(probes), states, p_positive, labels, scored)


def longest_correct(correct: np.ndarray) -> int:
    """Longest n such that prefixes of 1 … n words are all classified correctly."""
    wrong = np.flatnonzero(~correct)
    return int(wrong[0]) if len(wrong) else len(correct)


def wrong_from(wrong: np.ndarray) -> int | None:
    """Smallest n such that every length from n to the last is wrong (1-based); None if the
    last length is not."""
    right = np.flatnonzero(~wrong)
    if len(right) and right[-1] == len(wrong) - 1:
        return None
    return int(right[-1]) + 2 if len(right) else 1


def recorded_steps(length: int) -> np.ndarray:
    """Steps (1-based) at which a long probe's states are kept in the tables: every step up
    to DENSE_STEPS, then STEPS_PER_DECADE log-spaced steps per decade, and the last."""
    dense = np.arange(1, min(length, DENSE_STEPS) + 1)
    if length <= DENSE_STEPS:
        return dense
    points = int(np.ceil(STEPS_PER_DECADE * np.log10(length / DENSE_STEPS))) + 1
    sparse = np.round(np.geomspace(DENSE_STEPS, length, points)).astype(int)
    return np.unique(np.concatenate([dense, sparse, [length]]))


def pair_distance(run: ProbeRun, a: int, b: int) -> np.ndarray:
    """[P, T]: ‖h_A − h_B‖ after each word of a pair."""
    return np.linalg.norm(run.states[a] - run.states[b], axis=-1)
