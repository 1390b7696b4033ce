"""E11: random continuous functions (seed 000 §IV.E, after Collins et al. 2017).

A sequence of `length` scalar N(0, 1) inputs, one per step; the target is the output of a
fixed random teacher reading the same sequence: a tanh RNN with `teacher_hidden` units
(W_ih ~ N(0, input_scale²), W_hh ~ N(0, gain²/n), biases 0, readout ~ N(0, 1/n)), scaled so that its
output has mean square 1 over inputs. A student RNN with at least the teacher's units can
express it exactly (error floor 0); smaller students and other cells can only approximate it.
"""
import pandas as pd
import torch
from torch import Tensor

from ..models.stacked import PopulationRNN, Shape
from ..seeding import derive_seed
from .regression import Task, members_of, train_fresh

# Inputs over which the teacher's output scale is measured.
SCALE_EXAMPLES = 1 << 14


class Teacher:
    """The fixed random function: a tanh RNN in the students' parameter layout."""

    def __init__(self, seed: int, hidden: int, gain: float, input_scale: float, length: int):
        self.model = PopulationRNN(Shape("rnn", 1, hidden, 1, 1))
        g = torch.Generator().manual_seed(derive_seed(seed, "e11-teacher", hidden, gain,
                                                               input_scale, length))
        params = self.model.draw(g, gain, 0.0, torch.float64).unsqueeze(0)
        w = self.model.unflatten(params)
        w["w_ih1"].mul_(input_scale)  # draw's N(0, 1/fan_in) is N(0, 1): one input
        with torch.no_grad():
            probe = torch.randn(length, 1, SCALE_EXAMPLES, 1, generator=g,
                                dtype=torch.float64)
            rms = self.model.outputs(w, probe).pow(2).mean().sqrt()
        w["w_out"].div_(rms)  # unit mean square target
        self.params = params  # [1, N] float64

    def __call__(self, inputs: Tensor) -> Tensor:
        """Targets [B, 1] of inputs [T, B, 1]."""
        with torch.no_grad():
            w = self.model.unflatten(self.params)
            return self.model.outputs(w, inputs.to(torch.float64).unsqueeze(1))[0].float()


def function_task(teacher: Teacher, length: int) -> Task:
    """`length` N(0, 1) scalars; the target is the teacher's output."""
    return Task(lambda generator, examples: torch.randn(length, examples, 1,
                                                        generator=generator), teacher)


def train_students(cell: str, budget: int, hidden: int, section: dict, seed: int,
                   device: torch.device, dtype: torch.dtype) -> pd.DataFrame:
    """Every learning rate × replicate of one cell and size learning the teacher: the
    learning curves (regression.train_fresh) with the shape's identity columns."""
    teacher = Teacher(seed, section["teacher_hidden"], section["teacher_gain"],
                      section["teacher_input_scale"], section["length"])
    model = PopulationRNN(Shape(cell, 1, hidden, 1, 1))
    members = members_of(section["learning_rates"], section["replicates"])
    identity = (seed, "e11", cell, hidden, section["length"])
    curve = train_fresh(model, members, function_task(teacher, section["length"]), identity,
                        section, device, dtype,
                        lambda g: model.draw(g, section["scale"], section["gate_bias"], dtype))
    curve.insert(0, "model", cell)
    curve.insert(1, "budget", budget)
    curve.insert(2, "hidden_dim", hidden)
    curve.insert(3, "parameters", model.n_params)
    return curve
