"""Train a population of stacked networks for a fixed number of Adam steps.

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
from .adam import PopulationAdam


@dataclass
class StepsResult:
    params: Tensor  # [P, N] after the last step (a diverged member: its last finite step)
    curve: pd.DataFrame  # member, step, train_loss (mean over the steps since the last row)
    diverged_at: Tensor  # [P] step at which the member diverged, 0 if it never did


def train_steps(model: PopulationRNN, params: Tensor, lr: Tensor, steps: int,
                batch: Callable[[int], tuple[Tensor, Tensor]],
                loss: Callable[[Tensor, Tensor], Tensor], record_every: int,
                on_record: Callable[[int, Tensor], None] | None = None,
                clip_norm: float | None = None, betas=(0.9, 0.999),
                eps=1e-8) -> StepsResult:
    """`steps` Adam steps of every member from `params` [P, N] (copied) at learning rates
    lr [P]. batch(step) → (x [T, P, B, n_in], target); loss(outputs [P, B, K], target) →
    [P] mean loss per member. Every `record_every` steps (and after the last) the mean
    training loss is recorded and on_record(step, params) called. With `clip_norm`, each
    member's gradient is rescaled to at most that norm before its Adam step (as
    torch.nn.utils.clip_grad_norm_ over the member's parameters)."""
    members = params.shape[0]
    params = params.detach().clone()
    adam = PopulationAdam.zeros_like(params, betas, eps)
    finite = torch.ones(members, dtype=torch.bool, device=params.device)
    diverged_at = torch.zeros(members, dtype=torch.int64, device=params.device)
    loss_sum = torch.zeros(members, dtype=torch.float64, device=params.device)
    since, rows = 0, []
    params.requires_grad_(True)
    for step in range(1, steps + 1):
        x, target = batch(step)
        views = model.unflatten(params)
        losses = loss(model.outputs(views, x), target)
        grad = model.flat_grad(losses.sum(), views)
        ok = torch.isfinite(losses) & torch.isfinite(grad).all(1)
        diverged_at = torch.where(finite & ~ok, step, diverged_at)
        finite &= ok
        if clip_norm is not None:
            grad = clip_rows(grad, clip_norm)
        adam.step(params.data, grad, lr, finite)
        loss_sum += torch.where(finite, losses.detach(), 0.0).to(torch.float64)
        since += 1
        if step % record_every == 0 or step == steps:
            mean = torch.where(finite, loss_sum / since, float("nan"))
            rows.append(pd.DataFrame({"member": range(members), "step": step,
                                      "train_loss": mean.cpu().numpy()}))
            loss_sum.zero_()
            since = 0
            if on_record:
                with torch.no_grad():
                    on_record(step, params.detach())
    params.requires_grad_(False)
    return StepsResult(params.detach(), pd.concat(rows, ignore_index=True), diverged_at)


def clip_rows(grad: Tensor, max_norm: float) -> Tensor:
    """Each row scaled to at most `max_norm` (torch.nn.utils.clip_grad_norm_'s arithmetic:
    factor max_norm / (norm + 1e-6), capped at 1)."""
    norm = torch.linalg.vector_norm(grad, dim=1, keepdim=True)
    return grad * (max_norm / (norm + 1e-6)).clamp(max=1.0)
