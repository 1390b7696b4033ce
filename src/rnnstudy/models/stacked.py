"""A population of stacked recurrent networks on real-valued inputs, with a linear readout of
the last state: the models of seed 000's capacity experiments (after Collins et al. 2017).

Cells: rnn (tanh), rnn_relu, irnn (ReLU, identity recurrent init and zero biases, Le et al.
2015), ugrnn, gru, lstm, and the LSTM variants lstm_peephole, lstm_cifg, lstm_nf; `layers`
of them stacked, each layer reading the states of the one below. Each layer has one bias per
gate (torch.nn's b_ih with b_hh = 0): a second bias vector adds parameters that store
nothing, and bits per parameter counts every trainable number.

Parameters of all P members live in one flat tensor [P, N] (what the optimizer updates);
`unflatten` gives per-parameter views. Inputs are time-major: x [T, P, B, n_in] (one batch
per member) or [T, 1, B, n_in] (one batch for all).
"""
import math

import torch
from torch import Tensor

from .cells import scan
from .shapes import CELLS, KEEP_GATE, SCANS, Shape, largest_hidden

__all__ = ["CELLS", "PopulationRNN", "RECURRENT_INITS", "Shape", "largest_hidden"]

# Initializations of the recurrent matrix that `draw` offers the tanh and ReLU RNNs (E14).
RECURRENT_INITS = ("default", "orthogonal", "identity", "he")


def recurrent_matrix(init: str, hidden: int, scale: float,
                     generator: torch.Generator) -> Tensor:
    """W_hh [H, H] in float64, in this module's layout (torch.nn's weight_hh transposed):

    - default: N(0, scale²/H), the draw every experiment here uses when no init is named.
      Seed 000 §VI names no distribution for its "default" init; its networks were Keras
      ones, whose default recurrent init is orthogonal — the same as the next option — so
      "default" here is this pipeline's own draw (E8–E11), the random Gaussian init that Le
      et al. (2015) set the identity against. Its spectral radius is about `scale`.
    - orthogonal: torch.nn.init.orthogonal_ (gain = scale; Saxe et al. 2013).
    - identity: scale · I (the IRNN, Le et al. 2015).
    - he: torch.nn.init.kaiming_normal_ for ReLU, fan-in H: N(0, 2/H), times scale (He et
      al. 2015).
    torch.nn.init draws torch's [H_out, H_in] matrix from `generator`; it is transposed."""
    if init == "default":
        value = torch.randn(hidden, hidden, generator=generator, dtype=torch.float64)
        return value * (scale / math.sqrt(hidden))
    if init == "identity":
        return scale * torch.eye(hidden, dtype=torch.float64)
    weight = torch.empty(hidden, hidden, dtype=torch.float64)  # torch's [H_out, H_in]
    if init == "orthogonal":
        torch.nn.init.orthogonal_(weight, gain=scale, generator=generator)
    elif init == "he":
        torch.nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu",
                                      generator=generator)
        weight *= scale
    else:
        raise ValueError(f"unknown recurrent init {init!r}; known: {', '.join(RECURRENT_INITS)}")
    return weight.T.contiguous()


class PopulationRNN:
    """Shape and parameter layout of P same-shape stacked networks."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self.layout = shape.parameter_shapes()
        self.n_params = shape.n_params

    def draw(self, generator: torch.Generator, scale: float, gate_bias: float,
             dtype=torch.float32, recurrent_init: str | None = None) -> Tensor:
        """One member's parameters [N]: W_ih ~ N(0, 1/fan_in); W_hh ~ N(0, scale²/H) (the
        IRNN: scale · I); the keep-gate bias = gate_bias, other biases 0; peephole weights
        0 (a peephole LSTM starts as the LSTM drawn from the same generator); readout
        ~ N(0, 1/H) with bias 0. Drawn in layout order from `generator`, on the CPU.

        `recurrent_init` (tanh and ReLU RNN only): one of RECURRENT_INITS for every layer's
        W_hh (see recurrent_matrix; scale is its gain); None is "default", the same draw."""
        cell, hidden = self.shape.cell, self.shape.hidden_dim
        if recurrent_init is not None and cell not in ("rnn", "rnn_relu"):
            raise ValueError(f"recurrent_init is for the rnn and rnn_relu cells, not {cell!r}")
        parts = []
        for name, (rows, cols) in self.layout:
            if name.startswith("w_hh") and cell == "irnn":
                value = scale * torch.eye(hidden, dtype=torch.float64)
            elif name.startswith("w_hh") and recurrent_init is not None:
                value = recurrent_matrix(recurrent_init, hidden, scale, generator)
            elif name.startswith("peep"):
                value = torch.zeros(rows, cols, dtype=torch.float64)
            elif name.startswith("w_hh"):
                value = torch.randn(rows, cols, generator=generator, dtype=torch.float64)
                value *= scale / math.sqrt(hidden)
            elif name.startswith("w"):
                value = torch.randn(rows, cols, generator=generator, dtype=torch.float64)
                value /= math.sqrt(rows)
            else:
                value = torch.zeros(rows, cols, dtype=torch.float64)
                if name != "b_out" and cell in KEEP_GATE:
                    block = KEEP_GATE[cell]
                    value[:, block * hidden:(block + 1) * hidden] = gate_bias
            parts.append(value.reshape(-1))
        return torch.cat(parts).to(dtype)

    def unflatten(self, params: Tensor) -> dict[str, Tensor]:
        """Views [P, rows, cols] of every parameter."""
        out, offset = {}, 0
        for name, (rows, cols) in self.layout:
            out[name] = params[:, offset:offset + rows * cols].view(params.shape[0], rows, cols)
            offset += rows * cols
        return out

    def states(self, w: dict[str, Tensor], x: Tensor) -> list[Tensor]:
        """The top layer's states h_1 … h_T, each [P, B, H], for inputs x [T, P|1, B, n_in]."""
        members = w["w_out"].shape[0]
        steps, _, batch, _ = x.shape
        inputs = x
        for layer in range(1, self.shape.layers + 1):
            w_ih = w[f"w_ih{layer}"]
            if inputs.shape[1] == 1 and members > 1:
                inputs = inputs.expand(steps, members, batch, inputs.shape[-1])
            # [T, P, B, in] @ [P, in, G·H]: one batched product over every step and member
            flat = inputs.transpose(0, 1).reshape(members, steps * batch, -1)
            gx = torch.baddbmm(w[f"b{layer}"], flat, w_ih)
            gx = gx.view(members, steps, batch, -1).transpose(0, 1)
            zero = gx.new_zeros(members, 1, gx.shape[-1])
            states = scan(SCANS[self.shape.cell], gx, w[f"w_hh{layer}"], zero,
                          w.get(f"peep{layer}"))
            inputs = torch.stack(states)
        return states

    def outputs(self, w: dict[str, Tensor], x: Tensor) -> Tensor:
        """The readout of the last state [P, B, outputs]."""
        return torch.baddbmm(w["b_out"], self.states(w, x)[-1], w["w_out"])

    def flat_grad(self, loss: Tensor, w: dict[str, Tensor]) -> Tensor:
        """d loss / d params [P, N], taken with respect to the views (see
        PopulationClassifier.flat_grad)."""
        grads = torch.autograd.grad(loss, [w[name] for name, _ in self.layout])
        return torch.cat([g.reshape(g.shape[0], -1) for g in grads], dim=1)
