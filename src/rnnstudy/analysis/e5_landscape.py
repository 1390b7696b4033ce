"""E5 (seed 001 §VI.A, Fig. 7-8): validation accuracy of untrained random parameter settings.

Settings are drawn from each architecture's default initialization (embedding N(0, 1),
everything else U(−1/√H, 1/√H)) in blocks of BLOCK settings, each block from its own seed, so
setting s is the same whatever the sharding or chunking. Each chunk of settings is evaluated
as one population on the shared validation sequences; the result is a histogram of the
number of correctly classified sequences.
"""
import numpy as np
import pandas as pd
import torch

from ..data.split import Split
from ..models.cells import GATES
from ..models.classifier import PopulationClassifier
from ..seeding import derive_seed

BLOCK = 1000  # settings per random-number stream
# Settings per chunk: a [settings, gates, sequences] float32 tensor of about 2 MB per
# thread stays in cache across a step's elementwise ops; larger chunks ran slower, smaller
# ones paid more per-op overhead (measured for RNN 2x2 to GRU 4x4 on 2000 sequences).
CHUNK_ELEMENTS = 1 << 19


def draw_block(model: PopulationClassifier, seed: int, block: int, dtype) -> tuple:
    """(params [BLOCK, N], fixed [BLOCK, M]) of settings block·BLOCK … (block+1)·BLOCK − 1,
    drawn as the trained models' initial weights are, from the block's own seed."""
    generator = torch.Generator().manual_seed(block_seed(seed, model, block))
    return model.draw(generator, BLOCK, dtype)


def block_seed(seed: int, model: PopulationClassifier, block: int) -> int:
    return derive_seed(seed, "landscape", model.model, model.input_dim, model.hidden_dim, block)


@torch.no_grad()
def correct_counts(model: PopulationClassifier, params: torch.Tensor, fixed: torch.Tensor,
                   split: Split) -> torch.Tensor:
    """Correctly classified sequences per setting [S], settings evaluated in chunks."""
    width = GATES[model.model] * model.hidden_dim * len(split)
    chunk = max(1, CHUNK_ELEMENTS * torch.get_num_threads() // width)
    ((tree, labels),) = split.chunks(len(split), model.vocab_size)  # in the tree's order
    counts = []
    for start in range(0, len(params), chunk):
        logits = model.logits(params[start:start + chunk], fixed[start:start + chunk], tree)
        counts.append((logits.argmax(-1) == labels).sum(1))
    return torch.cat(counts)


def evaluate_settings(model: PopulationClassifier, seed: int, start: int, stop: int,
                      split: Split, dtype=torch.float32) -> np.ndarray:
    """Histogram over settings [start, stop): entry k = settings with k correct sequences."""
    histogram = np.zeros(len(split) + 1, dtype=np.int64)
    device = split.tokens.device
    for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        params, fixed = draw_block(model, seed, block, dtype)
        first = block * BLOCK
        lo, hi = max(start, first) - first, min(stop, first + BLOCK) - first
        counts = correct_counts(model, params[lo:hi].to(device), fixed[lo:hi].to(device), split)
        histogram += np.bincount(counts.cpu().numpy(), minlength=len(split) + 1)
    return histogram


def histogram_frame(histogram: np.ndarray) -> pd.DataFrame:
    """Non-empty bins: correct sequences, accuracy, number of settings."""
    n = len(histogram) - 1
    correct = np.flatnonzero(histogram)
    return pd.DataFrame({"correct": correct, "accuracy": correct / n,
                         "settings": histogram[correct]})


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> np.ndarray:
    """Quantiles of a histogram (values sorted ascending, weights = counts)."""
    cumulative = np.cumsum(weights)
    return np.array([values[np.searchsorted(cumulative, q * cumulative[-1], side="left")]
                     for q in qs])
