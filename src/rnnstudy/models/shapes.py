"""Shapes and parameter counts of the stacked networks of models/stacked.py, without torch:
the workflow sizes seed 000's jobs (the hidden size within a parameter budget) when it starts.
"""
import math
from dataclasses import dataclass

# LSTM variants (Greff et al. 2017, after Gers et al.): peephole connections, coupled
# input-forget gate (CIFG: i = 1 − f), no forget gate (f ≡ 1). See models/cells.py.
LSTM_VARIANTS = ("lstm_peephole", "lstm_cifg", "lstm_nf")
CELLS = ("rnn", "rnn_relu", "irnn", "ugrnn", "gru", "lstm", *LSTM_VARIANTS)
# The scan each cell runs (models/cells.py); the IRNN differs from rnn_relu by its init only.
SCANS = {"rnn": "rnn", "rnn_relu": "rnn_relu", "irnn": "rnn_relu", "ugrnn": "ugrnn",
         "gru": "gru", "lstm": "lstm", "lstm_peephole": "lstm_peephole",
         "lstm_cifg": "lstm_cifg", "lstm_nf": "lstm_nf"}
# The gate block whose bias the `gate_bias` hyperparameter sets: the one that keeps the state
# (GRU update z, LSTM forget f, UGRNN update g; CIFG's f, its first block). Cells without a
# gate ignore it, and so does the LSTM without a forget gate.
KEEP_GATE = {"ugrnn": 1, "gru": 1, "lstm": 1, "lstm_peephole": 1, "lstm_cifg": 0}


# Gate blocks per scan of models/cells.py (the peephole LSTM: i, f, g, o as the LSTM; CIFG:
# f, g, o; no forget gate: i, g, o).
GATES = {"rnn": 1, "rnn_relu": 1, "ugrnn": 2, "gru": 3, "lstm": 4, "lstm_peephole": 4,
         "lstm_cifg": 3, "lstm_nf": 3}
# Cells with peephole weights: one diagonal vector per layer for the i, f and o gates,
# `peep<layer>` [1, 3H] in the layout, after the layer's bias.
PEEPHOLES = ("lstm_peephole",)


def gates(cell: str) -> int:
    return GATES[SCANS[cell]]


@dataclass(frozen=True)
class Shape:
    cell: str
    input_dim: int
    hidden_dim: int
    layers: int
    outputs: int

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r}; known: {', '.join(CELLS)}")
        if min(self.input_dim, self.hidden_dim, self.layers, self.outputs) < 1:
            raise ValueError(f"every size of {self} must be at least 1")

    def parameter_shapes(self) -> list[tuple[str, tuple[int, int]]]:
        width = gates(self.cell) * self.hidden_dim
        shapes = []
        for layer in range(1, self.layers + 1):
            fan_in = self.input_dim if layer == 1 else self.hidden_dim
            shapes += [(f"w_ih{layer}", (fan_in, width)),
                       (f"w_hh{layer}", (self.hidden_dim, width)), (f"b{layer}", (1, width))]
            if self.cell in PEEPHOLES:
                shapes.append((f"peep{layer}", (1, 3 * self.hidden_dim)))
        return shapes + [("w_out", (self.hidden_dim, self.outputs)), ("b_out", (1, self.outputs))]

    @property
    def n_params(self) -> int:
        return sum(math.prod(shape) for _, shape in self.parameter_shapes())


def largest_hidden(cell: str, input_dim: int, layers: int, outputs: int, budget: int) -> int:
    """The largest hidden size whose network has at most `budget` trainable parameters (0 if
    not even one unit fits)."""
    hidden = 0
    while Shape(cell, input_dim, hidden + 1, layers, outputs).n_params <= budget:
        hidden += 1
    return hidden
