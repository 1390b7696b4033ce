"""E10: how many numbers a recurrent network keeps in its units (Collins et al. 2017 §2.2).

A random input x ∈ R^d (N(0, 1) per dimension) enters at the first step; zeros follow; after
`delay` more steps a linear readout of the state must reconstruct x (squared error). Fresh
inputs every step, so nothing is memorized in the parameters: the error measures what the
state carries. The reference is the best linear reconstruction of an isotropic input from n
numbers, which leaves the fraction (d − n)/d of its variance for n < d and 0 from n = d on.
"""
import pandas as pd
import torch
from torch import Tensor

from ..models.stacked import PopulationRNN, Shape
from .regression import Task, members_of, train_fresh


def linear_floor(units, input_dim: int):
    """(d − n)/d for n < d, else 0: the error of the best rank-n linear reconstruction of
    an isotropic d-dimensional input."""
    return (input_dim - pd.Series(units).clip(upper=input_dim)) / input_dim


def reconstruction_task(input_dim: int, delay: int) -> Task:
    """x at the first of delay + 1 steps, zeros after; the target is x."""
    def draw(generator: torch.Generator, examples: int) -> Tensor:
        inputs = torch.zeros(delay + 1, examples, input_dim)
        inputs[0] = torch.randn(examples, input_dim, generator=generator)
        return inputs
    return Task(draw, lambda inputs: inputs[0])


def train_units(cell: str, hidden: int, section: dict, seed: int, device: torch.device,
                dtype: torch.dtype) -> pd.DataFrame:
    """Every learning rate × replicate of one cell and hidden size: the learning curves (see
    regression.train_fresh) with the shape's identity columns."""
    d = section["input_dim"]
    model = PopulationRNN(Shape(cell, d, hidden, 1, d))
    members = members_of(section["learning_rates"], section["replicates"])
    identity = (seed, "e10", cell, d, hidden, section["delay"])
    curve = train_fresh(model, members, reconstruction_task(d, section["delay"]), identity,
                        section, device, dtype,
                        lambda g: model.draw(g, section["scale"], section["gate_bias"], dtype))
    curve.insert(0, "model", cell)
    curve.insert(1, "hidden_dim", hidden)
    curve.insert(2, "parameters", model.n_params)
    return curve
