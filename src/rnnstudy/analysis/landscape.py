"""E5 (seed 001 §VI.A, Fig. 7-8): validation accuracy of untrained random parameter settings.

Settings are drawn from each architecture's default initialization (embedding N(0, 1),
everything else U(−1/√H, 1/√H)) in blocks of BLOCK settings, each block from its own seed, so
setting s is the same whatever the sharding or chunking. Each chunk of settings is evaluated
as one population on the shared validation sequences; the result is a histogram of the
number of correctly classified sequences.
"""
import math

import numpy as np
import torch

from ..models.cells import GATES
from ..models.classifier import PopulationClassifier
from ..seeding import derive_seed
from ..training.trainer import Split

BLOCK = 1000  # settings per random-number stream
# Settings per chunk: a [settings, gates, sequences] float32 tensor of about 2 MB per
# thread stays in cache across a step's elementwise ops; larger chunks ran slower, smaller
# ones paid more per-op overhead (measured for RNN 2x2 to GRU 4x4 on 2000 sequences).
CHUNK_ELEMENTS = 1 << 19


def draw_block(model: PopulationClassifier, seed: int, block: int, dtype) -> tuple:
    """(params [BLOCK, N], fixed [BLOCK, M]) of settings block·BLOCK … (block+1)·BLOCK − 1."""
    generator = torch.Generator().manual_seed(seed)
    bound = 1.0 / math.sqrt(model.hidden_dim)
    drawn = {}
    for p in model.spec:
        shape = (BLOCK, *p.shape)
        if p.init == "normal":
            drawn[p.name] = torch.randn(shape, generator=generator, dtype=torch.float64)
        else:
            drawn[p.name] = (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * bound
    flat = [torch.cat([drawn[p.name].reshape(BLOCK, -1) for p in spec], dim=1).to(dtype)
            if spec else torch.zeros(BLOCK, 0, dtype=dtype)
            for spec in (model.trainable, model.frozen)]
    return flat[0], flat[1]


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
        params, fixed = draw_block(model, block_seed(seed, model, block), block, dtype)
        lo, hi = max(start, block * BLOCK) - block * BLOCK, min(stop, (block + 1) * BLOCK) - block * BLOCK
        counts = correct_counts(model, params[lo:hi].to(device), fixed[lo:hi].to(device), split)
        histogram += np.bincount(counts.cpu().numpy(), minlength=len(split) + 1)
    return histogram
