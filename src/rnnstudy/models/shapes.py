"""Shapes and parameter counts of the stacked networks of models/stacked.py, without torch:
the workflow sizes seed 000's jobs (the hidden size within a parameter budget) when it starts.
"""
import math
from dataclasses import dataclass

CELLS = ("rnn", "rnn_relu", "irnn", "ugrnn", "gru", "lstm")
# The scan each cell runs (models/cells.py); the IRNN differs from rnn_relu by its init only.
SCANS = {"rnn": "rnn", "rnn_relu": "rnn_relu", "irnn": "rnn_relu", "ugrnn": "ugrnn",
         "gru": "gru", "lstm": "lstm"}
# The gate block whose bias the `gate_bias` hyperparameter sets: the one that keeps the state
# (GRU update z, LSTM forget f, UGRNN update g). Cells without a gate ignore it.
KEEP_GATE = {"ugrnn": 1, "gru": 1, "lstm": 1}


# Gate blocks per scan of models/cells.py.
GATES = {"rnn": 1, "rnn_relu": 1, "ugrnn": 2, "gru": 3, "lstm": 4}


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
