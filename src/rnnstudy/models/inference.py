"""A fast forward pass for many members reading the same sequences, without gradients.

Used for every evaluation (validation and test splits, E5's random settings). It computes
what `cells.scan` computes, laid out for speed on a CPU:
- feature-major states [P, H, B]: the recurrent product is a bmm [P, G, H] × [P, H, B],
  whose long inner dimension (the sequences) runs fast, where [P, B, H] × [P, H, G] with a
  tiny H and G is several times slower; gate blocks are then contiguous rows;
- the input projection of each word is a column of a [P, G, V] table (W_ih·e + b_ih, with
  the recurrent biases that add to it folded in), gathered per step with index_select;
- activations work in place, and tanh(x) = 2·sigmoid(2x) − 1 on the CPU, where torch's tanh
  kernel is several times slower than its sigmoid.
"""
import torch
from torch import Tensor


def _tanh_(x: Tensor) -> Tensor:
    if x.is_cuda:
        return x.tanh_()
    return x.mul_(2).sigmoid_().mul_(2).sub_(1)


@torch.no_grad()
def shared_input_states(model: str, table: Tensor, b_hh: Tensor, w_hh: Tensor,
                        tokens: Tensor) -> Tensor:
    """Final hidden states [P, B, H] for word table [P, V, G] (W_ih·e + b_ih), recurrent
    weights w_hh [P, H, G] and biases b_hh [P, 1, G], tokens [B, T] shared by all members."""
    hidden = w_hh.shape[1]
    folded = table.clone()
    if model == "gru":  # b_hn is multiplied by r, so only b_hr and b_hz fold
        folded[..., :2 * hidden] += b_hh[..., :2 * hidden]
        b_hn = b_hh[..., 2 * hidden:].transpose(1, 2)  # [P, H, 1]
    else:
        folded += b_hh
    columns = folded.transpose(1, 2).contiguous()  # [P, G, V]
    weights = w_hh.transpose(1, 2).contiguous()  # [P, G, H]
    h = table.new_zeros(table.shape[0], hidden, tokens.shape[0])  # [P, H, B]
    c = torch.zeros_like(h) if model == "lstm" else None
    for step in tokens.t():
        gates = columns.index_select(2, step)  # [P, G, B]
        if model == "gru":
            gh = torch.bmm(weights, h)
            rz = gates[:, :2 * hidden].add_(gh[:, :2 * hidden]).sigmoid_()
            n = _tanh_(torch.addcmul(gates[:, 2 * hidden:], rz[:, :hidden],
                                     gh[:, 2 * hidden:].add_(b_hn)))
            h = torch.lerp(n, h, rz[:, hidden:])
            continue
        gates.baddbmm_(weights, h)
        if model == "rnn":
            h = _tanh_(gates)
        elif model == "rnn_relu":
            h = gates.relu_()
        else:  # lstm: i, f, g, o
            i, f, o = (gates[:, k * hidden:(k + 1) * hidden].sigmoid_() for k in (0, 1, 3))
            g = _tanh_(gates[:, 2 * hidden:3 * hidden])
            c = torch.addcmul(c * f, i, g)
            h = o * _tanh_(c.clone())
    return h.transpose(1, 2)
