"""Regression on fresh data, shared by E10 (per-unit capacity) and E11 (random continuous
functions): every member draws new examples each step from its own generator (there is no
training set to memorize) and is scored on one fixed evaluation set by its normalized error,
mean squared error over the targets' mean square (0 perfect, 1 = predicting zero).

Members are the learning rates of a small grid × replicates of one shape, trained as one
population; a member's draws depend on its identity only, so it trains as it would alone.
"""
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch
from torch import Tensor

from ..models.stacked import PopulationRNN
from ..seeding import derive_seed
from ..training.steps import train_steps


@dataclass(frozen=True)
class Task:
    """Fresh examples: `draw` (generator, examples) → inputs [T, examples, n_in] (each
    member from its own generator); `target` inputs [T, N, n_in] → targets [N, K], applied
    to every member's examples at once."""
    draw: Callable[[torch.Generator, int], Tensor]
    target: Callable[[Tensor], Tensor]

    def __call__(self, generator: torch.Generator, examples: int) -> tuple[Tensor, Tensor]:
        inputs = self.draw(generator, examples)
        return inputs, self.target(inputs)


@dataclass(frozen=True)
class Member:
    lr: float
    replicate: int


def members_of(learning_rates: list[float], replicates: int) -> list[Member]:
    return [Member(lr, r) for lr in learning_rates for r in range(replicates)]


def normalized_error(outputs: Tensor, targets: Tensor) -> Tensor:
    """Mean squared error over the targets' mean square, per member: [P]."""
    error = (outputs - targets).pow(2).mean(dim=(-2, -1))
    return error / targets.pow(2).mean(dim=(-2, -1))


def train_fresh(model: PopulationRNN, members: list[Member], task: Task, identity: tuple,
                section: dict, device: torch.device, dtype: torch.dtype,
                init: Callable[[torch.Generator], Tensor]) -> pd.DataFrame:
    """Train `members` for section['steps'] Adam steps of section['batch_size'] fresh
    examples; returns one row per member per evaluation (every section['evaluate_every']
    steps and at step 0): replicate, lr, step, train_loss, error on the evaluation set
    (section['evaluation_examples'] examples drawn from the identity's own generator)."""
    def generator(*parts) -> torch.Generator:
        return torch.Generator().manual_seed(derive_seed(*identity, *parts))

    params = torch.stack([init(generator("init", m.replicate)) for m in members]).to(device)
    lr = torch.tensor([m.lr for m in members], dtype=torch.float64, device=device)
    streams = [generator("data", m.lr, m.replicate) for m in members]
    x_eval, y_eval = task(generator("evaluation"), section["evaluation_examples"])
    x_eval = x_eval.to(device, dtype).unsqueeze(1)  # [T, 1, E, n_in]: shared by all
    y_eval = y_eval.to(device, dtype)
    batch_size = section["batch_size"]

    def batch(step: int):
        x = torch.stack([task.draw(stream, batch_size) for stream in streams], dim=1)
        steps, members = x.shape[:2]
        y = task.target(x.reshape(steps, members * batch_size, -1))  # one call for all
        return x.to(device, dtype), y.view(members, batch_size, -1).to(device, dtype)

    records = []

    def evaluate(step: int, params: Tensor) -> None:
        outputs = model.outputs(model.unflatten(params), x_eval)
        records.append(pd.DataFrame({"member": range(len(members)), "step": step,
                                     "error": normalized_error(outputs, y_eval).cpu().numpy()}))

    with torch.no_grad():
        evaluate(0, params)
    result = train_steps(model, params, lr, section["steps"], batch,
                         lambda out, y: (out - y).pow(2).mean(dim=(-2, -1)),
                         section["evaluate_every"], evaluate,
                         clip_norm=section.get("clip_norm"))
    curve = pd.concat(records, ignore_index=True).merge(result.curve, how="left",
                                                        on=["member", "step"])
    curve.insert(1, "replicate", [members[m].replicate for m in curve["member"]])
    curve.insert(2, "lr", [members[m].lr for m in curve["member"]])
    diverged = (result.diverged_at > 0).cpu().numpy()
    curve["diverged"] = diverged[curve["member"].to_numpy()]
    return curve.drop(columns="member")


def best_errors(curves: pd.DataFrame, point: list[str]) -> pd.DataFrame:
    """Per point: the learning rate whose replicates reach the lowest mean error (each
    member at its best evaluation), with that mean and its replicates' range."""
    finite = curves.dropna(subset=["error"])
    member = finite.groupby(point + ["lr", "replicate"], as_index=False)["error"].min()
    per_lr = (member.groupby(point + ["lr"], as_index=False)
              .agg(error_mean=("error", "mean"), error_low=("error", "min"),
                   error_high=("error", "max"), replicates=("replicate", "count")))
    best = per_lr.loc[per_lr.groupby(point)["error_mean"].idxmin()]
    best = best.rename(columns={"lr": "best_lr", "error_mean": "error"})
    # members of the point (any learning rate) whose loss stopped being finite
    diverged = curves.groupby(point + ["lr", "replicate"])["diverged"].max().groupby(point).sum()
    best["diverged"] = best.set_index(point).index.map(diverged).to_numpy()
    return best.reset_index(drop=True)
