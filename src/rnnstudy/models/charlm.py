"""A population of character-level language models: stacked cells of models/stacked.py
reading one character per step (one-hot over the alphabet) with a readout at EVERY step
giving the next character's logits (E12, after Collins et al. 2017 §3 on text8).

The network and its parameters are PopulationRNN's with input_dim = outputs = the alphabet
size (`charlm.n_params` counts every trainable number), so sizes by parameter budget come
from shapes.largest_hidden like every seed-000 experiment. It offers `unflatten`, `outputs`
and `flat_grad`, what training.steps.train_steps calls: `outputs` takes character ids
[T, P|1, B] and returns logits [P, T·B, V] (rows in (step, sequence) order), which
`next_char_loss` scores against the next characters.
"""
import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .stacked import PopulationRNN, Shape


class CharLM:
    """P same-shape character models over an alphabet of `alphabet` characters."""

    def __init__(self, cell: str, alphabet: int, hidden: int, layers: int):
        self.alphabet = alphabet
        self.network = PopulationRNN(Shape(cell, alphabet, hidden, layers, alphabet))
        self.shape = self.network.shape
        self.n_params = self.network.n_params

    def draw(self, generator: torch.Generator, scale: float, gate_bias: float,
             dtype=torch.float32) -> Tensor:
        return self.network.draw(generator, scale, gate_bias, dtype)

    def unflatten(self, params: Tensor) -> dict[str, Tensor]:
        return self.network.unflatten(params)

    def flat_grad(self, loss: Tensor, w: dict[str, Tensor]) -> Tensor:
        return self.network.flat_grad(loss, w)

    def outputs(self, w: dict[str, Tensor], ids: Tensor) -> Tensor:
        """Logits [P, T·B, V] of the character after each of ids [T, P|1, B] (int64): the
        readout of the top layer's state at every step."""
        x = F.one_hot(ids, self.alphabet).to(w["w_out"].dtype)  # [T, P|1, B, V]
        states = torch.stack(self.network.states(w, x))  # [T, P, B, H]
        members = states.shape[1]
        flat = states.transpose(0, 1).reshape(members, -1, states.shape[-1])
        return torch.baddbmm(w["b_out"], flat, w["w_out"])


def next_char_loss(logits: Tensor, targets: Tensor, weights: Tensor | None = None) -> Tensor:
    """Mean cross-entropy per member in nats [P] of logits [P, T·B, V] against the next
    characters targets [T, P|1, B]; `weights` [T, 1, B] (0 or 1) scores only some of
    them."""
    members = logits.shape[0]
    targets = targets.expand(targets.shape[0], members, targets.shape[2])
    flat_targets = targets.transpose(0, 1).reshape(members, -1)
    nats = F.cross_entropy(logits.transpose(1, 2), flat_targets, reduction="none")  # [P, T·B]
    if weights is None:
        return nats.mean(dim=1)
    w = weights.expand_as(targets).transpose(0, 1).reshape(members, -1).to(nats.dtype)
    return (nats * w).sum(dim=1) / w.sum(dim=1)


BITS_PER_NAT = 1 / math.log(2)
