"""A fast forward pass for many members reading the same sequences, without gradients.

Used for every evaluation (validation and test splits, E5's random settings). It computes
what `cells.scan` computes, laid out for speed on a CPU:
- feature-major states [P, H, B]: the recurrent product is a bmm [P, G, H] × [P, H, B],
  whose long inner dimension (the sequences) runs fast, where [P, B, H] × [P, H, G] with a
  tiny H and G is several times slower; gate blocks are then contiguous rows;
- each step's inputs are one matrix product of the members' word tables [P·G, V] with
  the step's one-hot words [V, B], shared by all members; it lands in [P, G, B] directly
  (an index_select along the sequences' dimension cost twice as much);
- biases ride in the products: input biases (and recurrent ones that add to them) in the
  word tables, the GRU's b_hn as a column of W_hh against a constant row of ones kept
  under the hidden state;
- the first steps run on distinct prefixes only (`PrefixTree`): sorted, 2,000 random
  sequences of a 10-word vocabulary have 10, 100 and about 865 distinct prefixes of 1, 2
  and 3 words, a quarter of all the steps' work;
- activations work in place, and tanh(x) = 2·sigmoid(2x) − 1 on the CPU, where torch's tanh
  kernel is several times slower than its sigmoid; for the GRU's n gate the doubling is
  folded into its weights beforehand.
"""
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from .cells import tanh_, tanh_of_half_


@dataclass
class PrefixTree:
    """The distinct prefixes of a batch of sequences, for its first steps.

    Sequences are taken in lexicographic order (`order`); the prefixes of each shared step
    are numbered in that order, each knowing its last word and its parent prefix of the
    step before. `expand` maps each sequence to its prefix at the last shared step, after
    which every sequence runs on its own."""
    order: Tensor  # [B]: position in sorted order → original index
    words: list[Tensor]  # per step: the word of each distinct prefix, then of each sequence
    parents: list[Tensor]  # per shared step ≥ 1: each prefix's parent (index into the last)
    expand: Tensor  # [B]: each sequence's prefix at the last shared step
    shared: int  # steps run on distinct prefixes (0: none)
    vocab: int
    _onehots: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, tokens: Tensor, vocab: int) -> "PrefixTree":
        batch, steps = tokens.shape
        order = torch.from_numpy(np.lexsort(tokens.cpu().numpy().T[::-1]).astype(np.int64))
        ordered = tokens[order.to(tokens.device)]
        words, parents = [], []
        ids = torch.zeros(batch, dtype=torch.int64, device=tokens.device)
        new = torch.zeros(batch, dtype=torch.bool, device=tokens.device)
        new[0] = True  # new[i]: sequence i starts a prefix its sorted predecessor lacks
        for t in range(steps):
            new[1:] |= ordered[1:, t] != ordered[:-1, t]
            if int(new.sum()) > batch // 2:  # from here on, sharing no longer pays
                break
            first = new.nonzero().squeeze(1)
            words.append(ordered[first, t])
            if t:
                parents.append(ids[first])
            ids = new.cumsum(0) - 1
        shared = len(words)
        words += list(ordered[:, shared:].t())
        return cls(order.to(tokens.device), words, parents, ids, shared, vocab)

    def onehots(self, dtype) -> list[Tensor]:
        """Per step, the one-hot words [V, n] (built once per dtype)."""
        if dtype not in self._onehots:
            self._onehots[dtype] = [torch.nn.functional.one_hot(w, self.vocab).t().to(dtype)
                                    for w in self.words]
        return self._onehots[dtype]


@torch.no_grad()
def shared_input_states(model: str, table: Tensor, b_hh: Tensor, w_hh: Tensor,
                        tree: PrefixTree) -> Tensor:
    """Final hidden states [P, B, H], sequences in `tree.order`, for word table [P, V, G]
    (W_ih·e + b_ih), recurrent weights w_hh [P, H, G] and biases b_hh [P, 1, G]."""
    members, vocab, width = table.shape
    hidden = w_hh.shape[1]
    # Copies, always: they are changed in place below, and .contiguous() of an already
    # contiguous view (b_hh [P, 1, G] transposed is one) would hand back the parameters.
    columns = table.transpose(1, 2).clone(memory_format=torch.contiguous_format)  # [P, G, V]
    # W_hhᵀ with a last column for the biases that stay in the product: [P, G, H + 1]
    weights = torch.cat([w_hh.transpose(1, 2), torch.zeros_like(b_hh.transpose(1, 2))], 2)
    if model == "gru":
        # b_hr, b_hz add to the inputs; b_hn is multiplied by r and stays in the product.
        columns[:, :2 * hidden] += b_hh.transpose(1, 2)[:, :2 * hidden]
        weights[:, 2 * hidden:, hidden] = b_hh[:, 0, 2 * hidden:]
        # tanh(x_n + r·gh_n) = 2σ(2x_n + r·2gh_n) − 1: double the n block once.
        columns[:, 2 * hidden:] *= 2
        weights[:, 2 * hidden:] *= 2
    else:
        columns += b_hh.transpose(1, 2)
    columns = columns.view(members * width, vocab)
    state = table.new_ones(members, hidden + 1, 1)  # rows: h, then a constant 1
    state[:, :hidden] = 0
    c = table.new_zeros(members, hidden, 1) if model == "lstm" else None
    for t, onehot in enumerate(tree.onehots(table.dtype)):
        width_t = onehot.shape[1]
        if 0 < t < tree.shared:  # distinct prefixes: their parents' states
            state = state.index_select(2, tree.parents[t - 1])
            c = c if c is None else c.index_select(2, tree.parents[t - 1])
        elif t == tree.shared and t:  # from shared prefixes to every sequence
            state = state.index_select(2, tree.expand)
            c = c if c is None else c.index_select(2, tree.expand)
        elif state.shape[2] != width_t:  # the first step: one state for every start
            state = state.expand(-1, -1, width_t).contiguous()
            c = c if c is None else c.expand(-1, -1, width_t).contiguous()
        gates = torch.mm(columns, onehot).view(members, width, width_t)  # [P, G, n]
        h = state[:, :hidden]
        if model == "gru":
            gh = torch.bmm(weights, state)
            rz = gates[:, :2 * hidden].add_(gh[:, :2 * hidden]).sigmoid_()
            n = torch.addcmul(gates[:, 2 * hidden:], rz[:, :hidden], gh[:, 2 * hidden:])
            torch.lerp(tanh_of_half_(n), h, rz[:, hidden:], out=h)
            continue
        gates.baddbmm_(weights, state)
        if model == "rnn":
            h.copy_(tanh_(gates))
        elif model == "rnn_relu":
            h.copy_(gates.relu_())
        else:  # lstm: i, f, g, o
            i, f, o = (gates[:, k * hidden:(k + 1) * hidden].sigmoid_() for k in (0, 1, 3))
            g = tanh_(gates[:, 2 * hidden:3 * hidden])
            c = torch.addcmul(c * f, i, g)
            torch.mul(o, tanh_(c.clone()), out=h)
    return state[:, :hidden].transpose(1, 2)
