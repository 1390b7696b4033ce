"""A population of sequence classifiers: word embedding → recurrent cell → linear readout.

All P members share a shape and differ in their parameters. Parameters live in one flat
tensor `params` [P, N] (what the optimizer updates) and, for fixed word vectors, a flat
`fixed` [P, M] that is never trained. Functions take these tensors explicitly, so a subset of
members, a perturbed copy or a million random settings are just other tensors.
"""
import math
from dataclasses import dataclass

import torch
from torch import Tensor

from . import fused
from .cells import GATES, MODELS, scan
from .inference import PrefixTree, shared_input_states

EMBEDDINGS = ("learned", "fixed")


@dataclass(frozen=True)
class Param:
    name: str
    shape: tuple[int, ...]  # per member
    init: str  # "normal" (std 1, as nn.Embedding) or "uniform" (±1/sqrt(H), as nn.RNN/nn.Linear)
    trainable: bool

    @property
    def size(self) -> int:
        return math.prod(self.shape)


class PopulationClassifier:
    """Shape and parameter layout of P same-shape models; no parameters of its own."""

    def __init__(self, model: str, vocab_size: int, input_dim: int, hidden_dim: int,
                 classes: int = 2, embedding: str = "learned"):
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
        if embedding not in EMBEDDINGS:
            raise ValueError(f"unknown embedding {embedding!r}; known: {', '.join(EMBEDDINGS)}")
        self.model, self.vocab_size = model, vocab_size
        self.input_dim, self.hidden_dim, self.classes = input_dim, hidden_dim, classes
        self.embedding = embedding
        gh = GATES[model] * hidden_dim
        # Draw order is fixed: a member's seed gives the same values whatever the options.
        self.spec = (
            Param("embedding", (vocab_size, input_dim), "normal", embedding == "learned"),
            Param("w_ih", (input_dim, gh), "uniform", True),
            Param("w_hh", (hidden_dim, gh), "uniform", True),
            Param("b_ih", (1, gh), "uniform", True),
            Param("b_hh", (1, gh), "uniform", True),
            Param("w_out", (hidden_dim, classes), "uniform", True),
            Param("b_out", (1, classes), "uniform", True),
        )
        self.trainable = tuple(p for p in self.spec if p.trainable)
        self.frozen = tuple(p for p in self.spec if not p.trainable)
        self.n_params = sum(p.size for p in self.trainable)
        self.n_fixed = sum(p.size for p in self.frozen)

    def describe(self) -> dict:
        return {"model": self.model, "vocab_size": self.vocab_size, "input_dim": self.input_dim,
                "hidden_dim": self.hidden_dim, "classes": self.classes,
                "embedding": self.embedding}

    # -- parameters -------------------------------------------------------------------------

    def draw(self, generator: torch.Generator, count: int,
             dtype=torch.float32) -> tuple[Tensor, Tensor]:
        """(params [count, N], fixed [count, M]) by torch.nn's default initialization
        (embedding N(0, 1), everything else U(−1/√H, 1/√H)), drawn from `generator`
        parameter by parameter, `count` members at a time, on the CPU."""
        bound = 1.0 / math.sqrt(self.hidden_dim)
        values = {}
        for p in self.spec:
            shape = (count, *p.shape)
            if p.init == "normal":
                values[p.name] = torch.randn(shape, generator=generator, dtype=torch.float64)
            else:
                values[p.name] = (torch.rand(shape, generator=generator, dtype=torch.float64)
                                  * 2 - 1) * bound
        return tuple(torch.cat([values[p.name].reshape(count, -1) for p in spec], dim=1).to(dtype)
                     if spec else torch.zeros(count, 0, dtype=dtype)
                     for spec in (self.trainable, self.frozen))

    def init_population(self, seeds: list[int], dtype=torch.float32) -> tuple[Tensor, Tensor]:
        """(params [P, N], fixed [P, M]) for members with the given seeds, each drawn from
        its own generator, on the CPU."""
        members = [self.draw(torch.Generator().manual_seed(s), 1, dtype) for s in seeds]
        return tuple(torch.cat(part) for part in zip(*members))

    def columns(self, include_embedding: bool) -> slice:
        """The columns of `params` [P, N] to study as seed 001's W: the parameters of its
        eq. 1-6 (cell and readout), with the learned word vectors only if asked for (they
        are not in the seed's equations)."""
        embedding = self.trainable[0]
        skip = 0 if include_embedding or embedding.name != "embedding" else embedding.size
        return slice(skip, self.n_params)

    def unflatten(self, params: Tensor, fixed: Tensor) -> dict[str, Tensor]:
        """Views [P, *shape] of every parameter."""
        out = {}
        for flat, spec in ((params, self.trainable), (fixed, self.frozen)):
            offset = 0
            for p in spec:
                out[p.name] = flat[:, offset:offset + p.size].view(flat.shape[0], *p.shape)
                offset += p.size
        return out

    # -- forward ------------------------------------------------------------------------------

    def step_inputs(self, w: dict[str, Tensor], tokens: Tensor) -> Tensor:
        """gx [T, P, B, G*H]: W_ih·e(word) + b_ih, looked up per word from a [P, V, G*H] table.

        tokens: [B, T] shared by all members, or [P, B, T] one batch per member. The lookup
        is one index_select of rows p·V + word of the flattened table, laid out time-major
        so that every step's slice is contiguous (its backward is one index_add).
        """
        table = torch.baddbmm(w["b_ih"], w["embedding"], w["w_ih"])  # [P, V, G*H]
        members, vocab, width = table.shape
        if tokens.dim() == 2:
            tokens = tokens.expand(members, -1, -1)
        offsets = vocab * torch.arange(members, device=tokens.device).view(1, -1, 1)
        rows = tokens.permute(2, 0, 1) + offsets
        gx = table.reshape(members * vocab, width).index_select(0, rows.reshape(-1))
        return gx.view(*rows.shape, width)

    def hidden_states(self, params: Tensor, fixed: Tensor, tokens: Tensor) -> list[Tensor]:
        """h_1 … h_T, each [P, B, H]."""
        w = self.unflatten(params, fixed)
        return scan(self.model, self.step_inputs(w, tokens), w["w_hh"], w["b_hh"])

    def readout(self, params: Tensor, fixed: Tensor, h: Tensor) -> Tensor:
        w = self.unflatten(params, fixed)
        return torch.baddbmm(w["b_out"], h, w["w_out"])

    def logits(self, params: Tensor, fixed: Tensor, tokens: Tensor) -> Tensor:
        """Class scores [P, B, C] from the final hidden state."""
        return self.logits_of(self.unflatten(params, fixed), tokens)

    def logits_of(self, w: dict[str, Tensor], tokens: Tensor) -> Tensor:
        """`logits` from parameter views (`unflatten`), so a trainer can take gradients
        with respect to the views themselves (see `flat_grad`).

        Without gradients and with one batch for all members (every evaluation) this is
        the fast forward of models/inference.py, which computes the same thing. Given a
        PrefixTree of the batch (built once, reused), the logits come in the tree's order
        of the sequences (`tree.order`), for callers that only count or sum over them.
        """
        if isinstance(tokens, Tensor) and (tokens.dim() == 3 or torch.is_grad_enabled()):
            if fused.enabled(self.model, w["w_hh"]):
                return fused.classifier_logits(self.model, w, tokens)
            h = scan(self.model, self.step_inputs(w, tokens), w["w_hh"], w["b_hh"])[-1]
            return torch.baddbmm(w["b_out"], h, w["w_out"])
        tree = tokens if isinstance(tokens, PrefixTree) else PrefixTree.of(tokens, self.vocab_size)
        table = torch.baddbmm(w["b_ih"], w["embedding"], w["w_ih"])
        h = shared_input_states(self.model, table, w["b_hh"], w["w_hh"], tree)
        logits = torch.baddbmm(w["b_out"], h, w["w_out"])  # sequences in tree order
        return logits if tree is tokens else logits[:, torch.argsort(tree.order)]

    def flat_grad(self, loss: Tensor, w: dict[str, Tensor]) -> Tensor:
        """d loss / d params [P, N], taken with respect to the views and concatenated once:
        through the views' slicing, autograd would zero-fill a [P, N] gradient per view."""
        grads = torch.autograd.grad(loss, [w[p.name] for p in self.trainable])
        return torch.cat([g.reshape(g.shape[0], -1) for g in grads], dim=1)
