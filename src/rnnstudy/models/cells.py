"""Recurrent cells over a population of models, time-major.

Shapes: P members, B sequences, T steps, H hidden units, G gates (RNN 1, UGRNN 2, GRU 3,
LSTM 4).
`gx` [T, P, B, G*H] is the input projection W_ih·x + b_ih of every step, already computed;
`w_hh` [P, H, G*H] and `b_hh` [P, 1, G*H] are the recurrent weights (PyTorch's weight_hh_l0,
transposed, per member). Gate order and equations follow torch.nn (seed 001 eq. 1-6):
GRU (r, z, n), LSTM (i, f, g, o). UGRNN (Collins et al. 2017, one update gate; torch.nn has no
such cell) is (c, g): h_t = g ⊙ h_{t-1} + (1 − g) ⊙ c. The LSTM variants of Greff et al.
(2017) that torch.nn lacks: peephole (i, f, g, o, with diagonal peephole weights [P, 1, 3H]
for i, f, o), CIFG (f, g, o; i = 1 − f) and no forget gate (i, g, o; f ≡ 1).

Training differentiates through these loops with autograd: the plain path, the reference.
Hand-written backward passes per step in torch ops (tried: fused per-step gradients,
factors precomputed for all steps) measured slower than autograd for GRU and LSTM and no
faster for the RNN, so these loops stay plain; only tanh is `fast_tanh`. models/fused has
the compiled alternative (whole sequences in one C++ call), which `scan` takes where it
is enabled.
"""
import torch
from torch import Tensor

from . import fused
from .shapes import GATES

# The sentiment classifier's cells (models/inference.py has a fast forward for each).
MODELS = ("rnn", "rnn_relu", "gru", "lstm")


def tanh_of_half_(x: Tensor) -> Tensor:
    """tanh(x / 2), in place: 2·σ(x) − 1 on the CPU, where torch's tanh kernel is several
    times slower than its sigmoid (57 µs against 10 µs on a [32, 64, 8] tensor here)."""
    if x.is_cuda:
        return x.mul_(0.5).tanh_()
    return x.sigmoid_().mul_(2).sub_(1)


def tanh_(x: Tensor) -> Tensor:
    """tanh, in place (2·σ(2x) − 1 on the CPU)."""
    return x.tanh_() if x.is_cuda else tanh_of_half_(x.mul_(2))


class FastTanh(torch.autograd.Function):
    """tanh through `tanh_`, with tanh's own backward g·(1 − y²). (LSTM training ~5%
    faster than torch.tanh on the CPU.)"""

    @staticmethod
    def forward(ctx, x):
        y = tanh_(x.clone())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return torch.addcmul(grad, grad, y * y, value=-1)


fast_tanh = FastTanh.apply


def rnn_scan(gx: Tensor, w_hh: Tensor, b_hh: Tensor, activation=fast_tanh) -> list[Tensor]:
    """h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh); returns [h_1 … h_T], each [P, B, H]."""
    h = gx.new_zeros(gx.shape[1:])
    states = []
    for gx_t in gx.unbind(0):
        h = activation(torch.baddbmm(b_hh, h, w_hh) + gx_t)
        states.append(h)
    return states


def gru_scan(gx: Tensor, w_hh: Tensor, b_hh: Tensor) -> list[Tensor]:
    """h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}, with n = tanh(x_n + r ⊙ (W_hn h + b_hn))."""
    hidden = w_hh.shape[1]
    h = gx.new_zeros(gx.shape[1:-1] + (hidden,))
    states = []
    for gx_t in gx.unbind(0):
        gh = torch.baddbmm(b_hh, h, w_hh)
        x_r, x_z, x_n = gx_t.split(hidden, dim=-1)
        h_r, h_z, h_n = gh.split(hidden, dim=-1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = fast_tanh(x_n + r * h_n)
        h = n + z * (h - n)
        states.append(h)
    return states


def ugrnn_scan(gx: Tensor, w_hh: Tensor, b_hh: Tensor) -> list[Tensor]:
    """h_t = g ⊙ h_{t-1} + (1 − g) ⊙ c, c = tanh(a_c), g = σ(a_g), a = W_ih x + b + W_hh h."""
    hidden = w_hh.shape[1]
    h = gx.new_zeros(gx.shape[1:-1] + (hidden,))
    states = []
    for gx_t in gx.unbind(0):
        a = torch.baddbmm(b_hh, h, w_hh) + gx_t
        c = fast_tanh(a[..., :hidden])
        g = torch.sigmoid(a[..., hidden:])
        h = c + g * (h - c)
        states.append(h)
    return states


def lstm_scan(gx: Tensor, w_hh: Tensor, b_hh: Tensor) -> list[Tensor]:
    """c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t); returns the h_t. One sigmoid covers
    all four gate blocks (g's is unused) and one chunk takes them apart: fewer ops, and a
    single backward cat instead of a zero-filled gradient per slice."""
    hidden = w_hh.shape[1]
    h = gx.new_zeros(gx.shape[1:-1] + (hidden,))
    c = torch.zeros_like(h)
    states = []
    for gx_t in gx.unbind(0):
        a = torch.baddbmm(b_hh, h, w_hh) + gx_t
        i, f, _, o = torch.sigmoid(a).chunk(4, dim=-1)
        g = fast_tanh(a[..., 2 * hidden:3 * hidden])
        c = torch.addcmul(f * c, i, g)
        h = o * fast_tanh(c)
        states.append(h)
    return states


def lstm_peephole_scan(gx: Tensor, w_hh: Tensor, b_hh: Tensor,
                       peephole: Tensor) -> list[Tensor]:
    """The LSTM with peephole connections (Gers & Schmidhuber 2000; Greff et al. 2017's
    vanilla LSTM): i = σ(a_i + p_i ⊙ c_{t-1}), f = σ(a_f + p_f ⊙ c_{t-1}), c_t = f ⊙ c_{t-1} +
    i ⊙ tanh(a_g), o = σ(a_o + p_o ⊙ c_t), h_t = o ⊙ tanh(c_t); peephole [P, 1, 3H] holds
    the diagonal weights (p_i, p_f, p_o)."""
    hidden = w_hh.shape[1]
    p_i, p_f, p_o = peephole.chunk(3, dim=-1)
    h = gx.new_zeros(gx.shape[1:-1] + (hidden,))
    c = torch.zeros_like(h)
    states = []
    for gx_t in gx.unbind(0):
        a_i, a_f, a_g, a_o = (torch.baddbmm(b_hh, h, w_hh) + gx_t).chunk(4, dim=-1)
        i = torch.sigmoid(torch.addcmul(a_i, p_i, c))
        f = torch.sigmoid(torch.addcmul(a_f, p_f, c))
        c = torch.addcmul(f * c, i, fast_tanh(a_g))
        h = torch.sigmoid(torch.addcmul(a_o, p_o, c)) * fast_tanh(c)
        states.append(h)
    return states


def lstm_cifg_scan(gx: Tensor, w_hh: Tensor, b_hh: Tensor) -> list[Tensor]:
    """Coupled input and forget gate: blocks (f, g, o), c_t = f ⊙ c_{t-1} + (1 − f) ⊙ g
    (the input gate is i = 1 − f), h_t = o ⊙ tanh(c_t)."""
    hidden = w_hh.shape[1]
    h = gx.new_zeros(gx.shape[1:-1] + (hidden,))
    c = torch.zeros_like(h)
    states = []
    for gx_t in gx.unbind(0):
        a_f, a_g, a_o = (torch.baddbmm(b_hh, h, w_hh) + gx_t).chunk(3, dim=-1)
        g = fast_tanh(a_g)
        c = torch.addcmul(g, torch.sigmoid(a_f), c - g)
        h = torch.sigmoid(a_o) * fast_tanh(c)
        states.append(h)
    return states


def lstm_nf_scan(gx: Tensor, w_hh: Tensor, b_hh: Tensor) -> list[Tensor]:
    """No forget gate (f ≡ 1, the LSTM of Hochreiter & Schmidhuber 1997): blocks (i, g, o),
    c_t = c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t)."""
    hidden = w_hh.shape[1]
    h = gx.new_zeros(gx.shape[1:-1] + (hidden,))
    c = torch.zeros_like(h)
    states = []
    for gx_t in gx.unbind(0):
        a_i, a_g, a_o = (torch.baddbmm(b_hh, h, w_hh) + gx_t).chunk(3, dim=-1)
        c = torch.addcmul(c, torch.sigmoid(a_i), fast_tanh(a_g))
        h = torch.sigmoid(a_o) * fast_tanh(c)
        states.append(h)
    return states


def scan(model: str, gx: Tensor, w_hh: Tensor, b_hh: Tensor,
         peephole: Tensor | None = None) -> list[Tensor]:
    """The hidden states h_1 … h_T of `model` (one of MODELS, or a scan of
    shapes.SCANS; `peephole` [P, 1, 3H]: the peephole LSTM's diagonal weights). The GRU
    and LSTM run fused where models/fused allows (fused.scan_enabled)."""
    if fused.scan_enabled(model, gx, w_hh.shape[1]):
        return list(fused.scan(model, gx, w_hh, b_hh).unbind(0))
    if model == "rnn":
        return rnn_scan(gx, w_hh, b_hh)
    if model == "rnn_relu":
        return rnn_scan(gx, w_hh, b_hh, torch.relu)
    if model == "ugrnn":
        return ugrnn_scan(gx, w_hh, b_hh)
    if model == "gru":
        return gru_scan(gx, w_hh, b_hh)
    if model == "lstm":
        return lstm_scan(gx, w_hh, b_hh)
    if model == "lstm_peephole":
        if peephole is None:
            raise ValueError("the peephole LSTM needs its peephole weights")
        return lstm_peephole_scan(gx, w_hh, b_hh, peephole)
    if model == "lstm_cifg":
        return lstm_cifg_scan(gx, w_hh, b_hh)
    if model == "lstm_nf":
        return lstm_nf_scan(gx, w_hh, b_hh)
    raise ValueError(f"unknown model {model!r}; known: {', '.join(GATES)}")
