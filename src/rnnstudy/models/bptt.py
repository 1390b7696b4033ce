"""Recurrent scans with a hand-written backward pass (backpropagation through time).

Training needs only the final hidden state's gradient. Autograd would record every
elementwise op of every step (a few dozen small tensors per step) and replay them; these
Functions run the forward loop without recording, keep the few tensors each step's
gradient needs, and run the backward loop with a handful of fused ops per step. They
compute what `cells.scan` computes (and the tests compare values and gradients with it).

Shapes as in cells.py: gx [T, P, B, G·H] (input projections, with b_ih), w_hh [P, H, G·H],
b_hh [P, 1, G·H]; the result is the final hidden state [P, B, H].
"""
import torch
from torch import Tensor


def _tanh(x: Tensor) -> Tensor:
    # torch's CPU tanh kernel is several times slower than its sigmoid (see inference.py)
    return torch.tanh(x) if x.is_cuda else torch.sigmoid(x * 2).mul_(2).sub_(1)


def _parameter_grads(states: Tensor, d_gh: Tensor) -> tuple[Tensor, Tensor]:
    """dW_hh = Σ_t h_{t-1}ᵀ·dgh_t and db_hh = Σ_t,b dgh_t, as one bmm over all steps.

    states [T, P, B, H] (h_0 … h_{T-1}), d_gh [T, P, B, G]."""
    steps, members, batch, hidden = states.shape
    h = states.permute(1, 3, 0, 2).reshape(members, hidden, steps * batch)
    g = d_gh.permute(1, 0, 2, 3).reshape(members, steps * batch, -1)
    return torch.bmm(h, g), g.sum(1, keepdim=True)


class RNNFinalState(torch.autograd.Function):
    """h_t = act(gx_t + h_{t-1}·W_hh + b_hh), act tanh or relu."""

    @staticmethod
    def forward(ctx, gx, w_hh, b_hh, relu: bool):
        steps, members, batch, hidden = gx.shape
        states = gx.new_empty(steps + 1, members, batch, hidden)  # h_0 … h_T
        states[0] = 0
        for t in range(steps):
            a = torch.baddbmm(b_hh, states[t], w_hh).add_(gx[t])
            states[t + 1] = a.relu_() if relu else _tanh(a)
        ctx.save_for_backward(states, w_hh)
        ctx.relu = relu
        return states[-1].clone()

    @staticmethod
    def backward(ctx, d_final):
        states, w_hh = ctx.saved_tensors
        steps = states.shape[0] - 1
        w_t = w_hh.transpose(1, 2)
        d_a = torch.empty_like(states[1:])  # dL/d(pre-activation) of every step
        dh = d_final
        for t in reversed(range(steps)):
            h = states[t + 1]
            if ctx.relu:
                torch.mul(dh, h > 0, out=d_a[t])
            else:
                torch.addcmul(dh, dh, h * h, value=-1, out=d_a[t])  # dh·(1 − h²)
            dh = torch.bmm(d_a[t], w_t)
        d_w, d_b = _parameter_grads(states[:-1], d_a)
        return d_a, d_w, d_b, None


class GRUFinalState(torch.autograd.Function):
    """PyTorch's GRU: r, z = σ(gx_rz + gh_rz); n = tanh(gx_n + r·gh_n); h = n + z·(h − n)."""

    @staticmethod
    def forward(ctx, gx, w_hh, b_hh):
        steps, members, batch, width = gx.shape
        hidden = width // 3
        states = gx.new_empty(steps + 1, members, batch, hidden)
        states[0] = 0
        rz_all = gx.new_empty(steps, members, batch, 2 * hidden)  # σ outputs r, z
        n_all = gx.new_empty(steps, members, batch, hidden)
        hn_all = gx.new_empty(steps, members, batch, hidden)  # W_hn·h + b_hn
        for t in range(steps):
            gh = torch.baddbmm(b_hh, states[t], w_hh)
            rz = torch.sigmoid(gx[t, ..., :2 * hidden] + gh[..., :2 * hidden], out=rz_all[t])
            hn_all[t] = gh[..., 2 * hidden:]
            n = _tanh(torch.addcmul(gx[t, ..., 2 * hidden:], rz[..., :hidden], hn_all[t]))
            n_all[t] = n
            torch.lerp(n, states[t], rz[..., hidden:], out=states[t + 1])
        ctx.save_for_backward(states, rz_all, n_all, hn_all, w_hh)
        return states[-1].clone()

    @staticmethod
    def backward(ctx, d_final):
        states, rz_all, n_all, hn_all, w_hh = ctx.saved_tensors
        steps, hidden = rz_all.shape[0], n_all.shape[-1]
        w_t = w_hh.transpose(1, 2)
        d_gx = torch.empty(steps, *n_all.shape[1:-1], 3 * hidden, dtype=n_all.dtype,
                           device=n_all.device)
        d_gh = torch.empty_like(d_gx)
        dh = d_final
        for t in reversed(range(steps)):
            r, z = rz_all[t, ..., :hidden], rz_all[t, ..., hidden:]
            n, h_prev = n_all[t], states[t]
            d_n = dh - dh * z
            d_an = d_n.addcmul_(d_n, n * n, value=-1)  # through tanh: ·(1 − n²)
            d_r = d_an * hn_all[t] * r * (1 - r)
            d_z = dh * (h_prev - n) * z * (1 - z)
            d_gx[t, ..., :hidden] = d_r
            d_gx[t, ..., hidden:2 * hidden] = d_z
            d_gx[t, ..., 2 * hidden:] = d_an
            d_gh[t, ..., :2 * hidden] = d_gx[t, ..., :2 * hidden]
            torch.mul(d_an, r, out=d_gh[t, ..., 2 * hidden:])
            dh = torch.baddbmm(dh * z, d_gh[t], w_t)
        d_w, d_b = _parameter_grads(states[:-1], d_gh)
        return d_gx, d_w, d_b


class LSTMFinalState(torch.autograd.Function):
    """PyTorch's LSTM (i, f, g, o): c = f·c + i·g, h = o·tanh(c)."""

    @staticmethod
    def forward(ctx, gx, w_hh, b_hh):
        steps, members, batch, width = gx.shape
        hidden = width // 4
        states = gx.new_empty(steps + 1, members, batch, hidden)
        cells = gx.new_empty(steps + 1, members, batch, hidden)
        states[0], cells[0] = 0, 0
        acts = gx.new_empty(steps, members, batch, width)  # σ(i), σ(f), tanh(g), σ(o)
        tanh_c = gx.new_empty(steps, members, batch, hidden)
        for t in range(steps):
            a = torch.baddbmm(b_hh, states[t], w_hh).add_(gx[t])
            acts[t] = torch.sigmoid(a)
            acts[t, ..., 2 * hidden:3 * hidden] = _tanh(a[..., 2 * hidden:3 * hidden])
            i, f, g, o = acts[t].split(hidden, dim=-1)
            torch.addcmul(f * cells[t], i, g, out=cells[t + 1])
            tanh_c[t] = _tanh(cells[t + 1])
            torch.mul(o, tanh_c[t], out=states[t + 1])
        ctx.save_for_backward(states, cells, acts, tanh_c, w_hh)
        return states[-1].clone()

    @staticmethod
    def backward(ctx, d_final):
        states, cells, acts, tanh_c, w_hh = ctx.saved_tensors
        steps, hidden = acts.shape[0], states.shape[-1]
        w_t = w_hh.transpose(1, 2)
        d_gates = torch.empty_like(acts)
        dh, dc = d_final, torch.zeros_like(d_final)
        for t in reversed(range(steps)):
            i, f, g, o = acts[t].split(hidden, dim=-1)
            tc = tanh_c[t]
            dc = dc + dh * o * (1 - tc * tc)
            d_gates[t, ..., :hidden] = dc * g * i * (1 - i)
            d_gates[t, ..., hidden:2 * hidden] = dc * cells[t] * f * (1 - f)
            d_gates[t, ..., 2 * hidden:3 * hidden] = dc * i * (1 - g * g)
            d_gates[t, ..., 3 * hidden:] = dh * tc * o * (1 - o)
            dc = dc * f
            dh = torch.bmm(d_gates[t], w_t)
        d_w, d_b = _parameter_grads(states[:-1], d_gates)
        return d_gates, d_w, d_b


def final_state(model: str, gx: Tensor, w_hh: Tensor, b_hh: Tensor) -> Tensor:
    """The final hidden state [P, B, H], differentiable by the hand-written backward."""
    if model in ("rnn", "rnn_relu"):
        return RNNFinalState.apply(gx, w_hh, b_hh, model == "rnn_relu")
    if model == "gru":
        return GRUFinalState.apply(gx, w_hh, b_hh)
    if model == "lstm":
        return LSTMFinalState.apply(gx, w_hh, b_hh)
    raise ValueError(f"unknown model {model!r}")
