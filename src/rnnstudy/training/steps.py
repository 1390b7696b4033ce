"""Train a population of stacked networks for a fixed number of optimizer steps.

Seed 000's capacity experiments train on tasks with fresh or per-member data for a set
number of steps (no epochs, no validation-driven schedule). Every member has its own
learning rate and data (the caller's `batch(step)` gives each its own minibatch); the loss
is the sum of the members' mean losses, so each gradient is the member's own and a member
follows the same trajectory in a population as alone. A member whose loss or gradient stops
being finite stops being updated at once and is marked diverged; its population-mates are
unaffected.
"""
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch
from torch import Tensor

from ..models.stacked import PopulationRNN
from .optimizers import population_optimizer


@dataclass
class StepsResult:
    params: Tensor  # [P, N] after the last step (a diverged member: its last finite step)
    curve: pd.DataFrame  # member, step, train_loss (mean over the steps since the last row)
    diverged_at: Tensor  # [P] step at which the member diverged, 0 if it never did
    converged_at: Tensor = None  # [P] step at which on_record reported it converged, 0 if never
    steps_taken: int = 0  # steps run (fewer than asked once every member stopped)


def train_steps(model: PopulationRNN, params: Tensor, lr: Tensor, steps: int,
                batch: Callable[[int], tuple[Tensor, Tensor]],
                loss: Callable[[Tensor, Tensor], Tensor], record_every: int,
                on_record: Callable[[int, Tensor], Tensor | None] | None = None,
                clip_norm: float | None = None, betas=(0.9, 0.999),
                eps=1e-8, *, optimizer: str = "adam", options: dict | None = None,
                clip_value: float | None = None) -> StepsResult:
    """`steps` optimizer steps of every member from `params` [P, N] (copied) at learning
    rates lr [P]. batch(step) → (x [T, P, B, n_in], target); loss(outputs [P, B, K], target)
    → [P] mean loss per member. Every `record_every` steps (and after the last) the mean
    training loss is recorded and on_record(step, params) called; it may return a bool [P]
    of members that have converged (the caller's rule): they stop being updated, and once
    every member has converged or diverged the loop ends. (Without such a rule it runs every
    step: diverged members keep their last finite weights, and the caller's evaluations of
    them go on.)

    `optimizer` is one of optimizers.OPTIMIZERS with torch.optim's `options` besides lr
    (Adam: `betas` and `eps`, unless options say otherwise). With `clip_norm`, each member's
    gradient is rescaled to at most that norm (torch.nn.utils.clip_grad_norm_ over the
    member's parameters); with `clip_value`, each element is clamped to [−v, v]
    (clip_grad_value_), after clip_norm when both are given."""
    members = params.shape[0]
    params = params.detach().clone()
    if optimizer == "adam" and options is None:
        options = {"betas": betas, "eps": eps}
    state = population_optimizer(optimizer, params, options)
    training = torch.ones(members, dtype=torch.bool, device=params.device)  # neither
    # diverged nor converged
    diverged_at = torch.zeros(members, dtype=torch.int64, device=params.device)
    converged_at = torch.zeros_like(diverged_at)
    loss_sum = torch.zeros(members, dtype=torch.float64, device=params.device)
    since, rows, step, stops = 0, [], 0, False
    params.requires_grad_(True)
    for step in range(1, steps + 1):
        x, target = batch(step)
        views = model.unflatten(params)
        losses = loss(model.outputs(views, x), target)
        grad = model.flat_grad(losses.sum(), views)
        ok = torch.isfinite(losses) & torch.isfinite(grad).all(1)
        diverged_at = torch.where(training & ~ok, step, diverged_at)
        training &= ok
        if clip_norm is not None:
            grad = clip_rows(grad, clip_norm)
        if clip_value is not None:
            grad = grad.clamp(-clip_value, clip_value)
        state.step(params.data, grad, lr, training)
        loss_sum += torch.where(training, losses.detach(), 0.0).to(torch.float64)
        since += 1
        if step % record_every == 0 or step == steps:
            mean = torch.where(training, loss_sum / since, float("nan"))
            rows.append(pd.DataFrame({"member": range(members), "step": step,
                                      "train_loss": mean.cpu().numpy()}))
            loss_sum.zero_()
            since = 0
            if on_record:
                with torch.no_grad():
                    done = on_record(step, params.detach())
                if done is not None:
                    stops = True
                    done = done.to(training.device) & training
                    converged_at = torch.where(done, step, converged_at)
                    training &= ~done
            if stops and not training.any():
                break
    params.requires_grad_(False)
    return StepsResult(params.detach(), pd.concat(rows, ignore_index=True), diverged_at,
                       converged_at, step)


def clip_rows(grad: Tensor, max_norm: float) -> Tensor:
    """Each row scaled to at most `max_norm` (torch.nn.utils.clip_grad_norm_'s arithmetic:
    factor max_norm / (norm + 1e-6), capped at 1)."""
    norm = torch.linalg.vector_norm(grad, dim=1, keepdim=True)
    return grad * (max_norm / (norm + 1e-6)).clamp(max=1.0)
