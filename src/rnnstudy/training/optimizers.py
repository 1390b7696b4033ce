"""Optimizers over a population: one flat parameter tensor [P, N], a learning rate per member.

Each is torch.optim's arithmetic (single-tensor path, no weight decay) applied row by row, so
a member's update never depends on the other rows, and each is tested against torch.optim
step for step. `step(params, grad, lr, update)` updates params in place; rows with update
False keep their parameters (a diverged or converged member stays where it stopped).
"""
from dataclasses import dataclass

import torch
from torch import Tensor

from .adam import PopulationAdam

OPTIMIZERS = ("adam", "rmsprop", "adagrad", "sgd_nesterov")


def _per_row(lr: Tensor, update: Tensor, params: Tensor) -> Tensor:
    """The learning rate of each row as a column [P, 1], 0 where the row does not update."""
    return (lr * update).to(params.dtype).unsqueeze(1)


@dataclass
class PopulationRMSprop:
    """torch.optim.RMSprop without momentum, not centered: v ← αv + (1 − α)g²,
    θ ← θ − lr·g / (√v + ε)."""
    square_avg: Tensor
    alpha: float = 0.99
    eps: float = 1e-8

    @torch.no_grad()
    def step(self, params: Tensor, grad: Tensor, lr: Tensor, update: Tensor) -> None:
        grad = torch.where(update.unsqueeze(1), grad, 0.0)
        self.square_avg.mul_(self.alpha).addcmul_(grad, grad, value=1 - self.alpha)
        params.addcdiv_(grad * _per_row(lr, update, params), self.square_avg.sqrt().add_(self.eps),
                        value=-1)

    def state_dict(self) -> dict:
        return {"square_avg": self.square_avg}


@dataclass
class PopulationAdagrad:
    """torch.optim.Adagrad (initial accumulator 0, no lr decay): s ← s + g²,
    θ ← θ − lr·g / (√s + ε)."""
    state_sum: Tensor
    eps: float = 1e-10

    @torch.no_grad()
    def step(self, params: Tensor, grad: Tensor, lr: Tensor, update: Tensor) -> None:
        grad = torch.where(update.unsqueeze(1), grad, 0.0)
        self.state_sum.addcmul_(grad, grad, value=1)
        params.addcdiv_(grad * _per_row(lr, update, params), self.state_sum.sqrt().add_(self.eps),
                        value=-1)

    def state_dict(self) -> dict:
        return {"state_sum": self.state_sum}


@dataclass
class PopulationNesterov:
    """torch.optim.SGD with Nesterov momentum (dampening 0): b ← μb + g,
    θ ← θ − lr·(g + μb). (torch starts b at g; from b = 0 the first step is the same.)"""
    momentum_buffer: Tensor
    momentum: float = 0.9

    @torch.no_grad()
    def step(self, params: Tensor, grad: Tensor, lr: Tensor, update: Tensor) -> None:
        grad = torch.where(update.unsqueeze(1), grad, 0.0)
        self.momentum_buffer.mul_(self.momentum).add_(grad)
        direction = grad.add(self.momentum_buffer, alpha=self.momentum)
        params.sub_(direction * _per_row(lr, update, params))

    def state_dict(self) -> dict:
        return {"momentum_buffer": self.momentum_buffer}


def population_optimizer(name: str, params: Tensor, options: dict | None = None):
    """A fresh optimizer state for params [P, N]; `options` are torch.optim's keyword
    arguments besides lr (adam: betas, eps; rmsprop: alpha, eps; adagrad: eps;
    sgd_nesterov: momentum)."""
    options = dict(options or {})
    allowed = {"adam": {"betas", "eps"}, "rmsprop": {"alpha", "eps"}, "adagrad": {"eps"},
               "sgd_nesterov": {"momentum"}}
    if name not in allowed:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    unknown = set(options) - allowed[name]
    if unknown:
        raise ValueError(f"{name} takes no option(s) {', '.join(sorted(unknown))}; it takes "
                         f"{', '.join(sorted(allowed[name]))}")
    if name == "adam":
        return PopulationAdam.zeros_like(params, **options)
    if name == "rmsprop":
        return PopulationRMSprop(torch.zeros_like(params), **options)
    if name == "adagrad":
        return PopulationAdagrad(torch.zeros_like(params), **options)
    return PopulationNesterov(torch.zeros_like(params), **options)
