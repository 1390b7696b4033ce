"""A data split as tensors on the device a job computes on, with its prefix trees."""
from dataclasses import dataclass, field

import torch
from torch import Tensor

from ..models.inference import PrefixTree


@dataclass
class Split:
    """One data split on the training device."""
    tokens: Tensor  # [n, T] int64
    labels: Tensor  # [n] int64
    _chunks: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_numpy(cls, tokens, labels, device) -> "Split":
        return cls(torch.as_tensor(tokens, dtype=torch.int64, device=device),
                   torch.as_tensor(labels, dtype=torch.int64, device=device))

    def __len__(self) -> int:
        return len(self.labels)

    def chunks(self, size: int, vocab: int) -> list[tuple[PrefixTree, Tensor]]:
        """The split in chunks of `size` sequences, each as (its PrefixTree, its labels in
        the tree's order): built once, reused by every evaluation of the split."""
        size = min(size, len(self))  # every size that covers the split is one chunk
        if (size, vocab) not in self._chunks:
            parts = []
            for start in range(0, len(self), size):
                tree = PrefixTree.of(self.tokens[start:start + size], vocab)
                parts.append((tree, self.labels[start:start + size][tree.order]))
            self._chunks[size, vocab] = parts
        return self._chunks[size, vocab]
