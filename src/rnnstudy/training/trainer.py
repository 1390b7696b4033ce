"""Train a population of same-shape classifiers as one vectorized computation.

Each member has its own initialization, data order (a permutation per epoch from its own
seed), learning rate and stopping epoch. The loss is the sum of the members' mean losses, so
every member's gradient is its own; members that stopped are left out of the computation
and keep their weights. A member therefore follows the same trajectory inside a population
as alone, up to float rounding.
"""
import logging
import time
from dataclasses import dataclass, field

import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor

from ..data.split import Split
from ..models import fused
from ..models.classifier import PopulationClassifier
from ..seeding import derive_seed
from .adam import PopulationAdam
from .checkpoint import Checkpoint
from .protocol import STOP_REASONS, Protocol, Schedule

log = logging.getLogger(__name__)

# Evaluation works on chunks of sequences so that [T, P, chunk, G*H] stays near this size.
EVAL_ELEMENTS = 1 << 23


@torch.no_grad()
def evaluate(model: PopulationClassifier, params: Tensor, fixed: Tensor,
             split: Split) -> tuple[Tensor, Tensor]:
    """Mean cross-entropy and accuracy of every member on the whole split: ([P], [P])."""
    members, (n, steps) = params.shape[0], split.tokens.shape
    width = members * steps * model.hidden_dim * 4
    chunk = max(1, EVAL_ELEMENTS // width)
    loss = torch.zeros(members, device=params.device, dtype=torch.float64)
    correct = torch.zeros(members, device=params.device, dtype=torch.int64)
    for tree, labels in split.chunks(chunk, model.vocab_size):
        logits = model.logits(params, fixed, tree)  # [P, b, C], sequences in tree order
        target = labels.expand(members, -1)
        loss += F.cross_entropy(logits.transpose(1, 2), target, reduction="none").sum(1)
        correct += (logits.argmax(-1) == target).sum(1)
    return loss / n, correct.to(torch.float64) / n


def epoch_order(order_seed: int, epoch: int, n: int) -> Tensor:
    """A member's order of the n training sequences in `epoch` (CPU, from its seed)."""
    generator = torch.Generator().manual_seed(derive_seed(order_seed, "epoch", epoch))
    return torch.randperm(n, generator=generator)


@dataclass
class TrainingResult:
    history: pd.DataFrame  # one row per member per epoch (epoch 0 = before training)
    final: pd.DataFrame  # one row per member: best-validation weights evaluated
    best_params: Tensor  # [P, N] on the CPU
    trajectory: list[Tensor] = field(default_factory=list)  # [P, N] after each epoch, if kept


def train_population(model: PopulationClassifier, params: Tensor, fixed: Tensor,
                     order_seeds: list[int], train: Split, validation: Split, test: Split,
                     protocol: Protocol, keep_trajectory: bool = False,
                     checkpoint: Checkpoint | None = None) -> TrainingResult:
    """Train members (rows of `params`) by `protocol`; every tensor on one device.

    With a checkpoint, the state is saved as it asks and a saved state is resumed from; the
    result is the same as without interruption.
    """
    device = params.device
    saved = checkpoint.load() if checkpoint else None
    if saved is None:
        state = _start(model, params, fixed, validation, protocol, keep_trajectory)
        first_epoch = 1
    else:
        state = _restore(saved, protocol, device)
        first_epoch = saved["epoch"] + 1
    params, best_params, adam, schedule = (state["params"], state["best_params"],
                                           state["adam"], state["schedule"])
    history, trajectory = state["history"], state["trajectory"]

    for epoch in range(first_epoch, protocol.max_epochs + 1):
        index = schedule.running.nonzero().squeeze(1)
        if len(index) == 0:
            break
        started = time.perf_counter()
        lr = schedule.lr[index]
        part_params, part_fixed, part_adam = params[index], fixed[index], adam.rows(index)
        order = torch.stack([epoch_order(order_seeds[i], epoch, len(train))
                             for i in index.tolist()]).to(device)
        train_loss, train_acc, finite = train_epoch(model, part_params, part_fixed, part_adam,
                                                     lr, train, order, protocol.batch_size)
        val_loss, val_acc = evaluate(model, part_params, part_fixed, validation)
        finite &= torch.isfinite(val_loss)
        improved = schedule.update(index, epoch, val_acc, finite, protocol)
        params[index] = part_params
        adam.set_rows(index, part_adam)
        best_params[index[improved]] = part_params[improved]
        history.append(_rows(epoch, index, train_loss, train_acc, val_loss, val_acc, lr))
        if keep_trajectory:
            trajectory.append(params.to("cpu", copy=True))
        log.info("epoch %d: %d members trained in %.2fs, mean validation accuracy %.4f, "
                 "%d still running", epoch, len(index), time.perf_counter() - started,
                 float(val_acc.mean()), int(schedule.running.sum()))
        if checkpoint and checkpoint.due(epoch):
            checkpoint.save(_saveable(state), epoch)

    history = pd.concat(history, ignore_index=True)
    final = _final(model, best_params, fixed, schedule, history, validation, test)
    return TrainingResult(history, final, best_params.cpu(), trajectory)


def _start(model, params, fixed, validation, protocol, keep_trajectory) -> dict:
    """The state before the first epoch (epoch 0: the initial weights evaluated)."""
    members, device = params.shape[0], params.device
    params = params.clone()
    schedule = Schedule.start(members, protocol, device)
    val_loss, val_acc = evaluate(model, params, fixed, validation)
    everyone = torch.arange(members, device=device)
    return {"params": params, "best_params": params.clone(),
            "adam": PopulationAdam.zeros_like(params, protocol.betas, protocol.eps),
            "schedule": schedule,
            "history": [_rows(0, everyone, None, None, val_loss, val_acc, schedule.lr)],
            "trajectory": [params.to("cpu", copy=True)] if keep_trajectory else []}


def _saveable(state: dict) -> dict:
    """The state as tensors and plain containers (loadable with weights_only=True)."""
    history = pd.concat(state["history"], ignore_index=True)
    return {"params": state["params"], "best_params": state["best_params"],
            "adam": state["adam"].state_dict(), "schedule": state["schedule"].state_dict(),
            "history": {c: torch.tensor(history[c].to_numpy()) for c in history.columns},
            "trajectory": state["trajectory"]}


def _restore(saved: dict, protocol: Protocol, device) -> dict:
    params = saved["params"].to(device)
    adam = PopulationAdam(*(saved["adam"][k].to(device) for k in
                            ("exp_avg", "exp_avg_sq", "steps")), protocol.betas, protocol.eps)
    schedule = Schedule(**{k: v.to(device) for k, v in saved["schedule"].items()})
    history = pd.DataFrame({c: v.numpy() for c, v in saved["history"].items()})
    return {"params": params, "best_params": saved["best_params"].to(device), "adam": adam,
            "schedule": schedule, "history": [history], "trajectory": list(saved["trajectory"])}


def train_epoch(model, params, fixed, adam, lr, train: Split, order: Tensor, batch_size: int):
    """One epoch of minibatch Adam for members `params` [p, N] (updated in place).

    order [p, n]: each member's sequence order. Returns mean train loss, train accuracy and
    whether each member's loss stayed finite (a member whose loss is not finite stops being
    updated at once; its population-mates are unaffected).
    """
    if fused.enabled(model.model, params):
        return fused.train_epoch(model, params, fixed, adam, lr, train, order, batch_size)
    members, n = order.shape
    tokens, labels = train.tokens[order], train.labels[order]  # [p, n, T], [p, n]
    loss_sum = torch.zeros(members, device=params.device, dtype=torch.float64)
    correct = torch.zeros(members, device=params.device, dtype=torch.int64)
    finite = torch.ones(members, device=params.device, dtype=torch.bool)
    params.requires_grad_(True)
    for start in range(0, n, batch_size):
        batch = slice(start, start + batch_size)
        batch_tokens, batch_labels = tokens[:, batch], labels[:, batch]
        views = model.unflatten(params, fixed)
        logits = model.logits_of(views, batch_tokens)  # [p, b, C]
        losses = F.cross_entropy(logits.transpose(1, 2), batch_labels, reduction="none").mean(1)
        grad = model.flat_grad(losses.sum(), views)
        finite &= torch.isfinite(losses) & torch.isfinite(grad).all(1)
        adam.step(params.data, grad, lr, finite)
        loss_sum += losses.detach().to(torch.float64) * batch_labels.shape[1]
        correct += (logits.detach().argmax(-1) == batch_labels).sum(1)
    params.requires_grad_(False)
    return loss_sum / n, correct.to(torch.float64) / n, finite


def _rows(epoch, index, train_loss, train_acc, val_loss, val_acc, lr) -> pd.DataFrame:
    nan = torch.full_like(val_loss, float("nan"))
    return pd.DataFrame({
        "member": index.cpu().numpy(),
        "epoch": epoch,
        "train_loss": (nan if train_loss is None else train_loss).cpu().numpy(),
        "train_acc": (nan if train_acc is None else train_acc).cpu().numpy(),
        "val_loss": val_loss.cpu().numpy(),
        "val_acc": val_acc.cpu().numpy(),
        "lr": lr.cpu().numpy(),
    })


def _final(model, best_params, fixed, schedule: Schedule, history: pd.DataFrame,
           validation: Split, test: Split) -> pd.DataFrame:
    val_loss, val_acc = evaluate(model, best_params, fixed, validation)
    test_loss, test_acc = evaluate(model, best_params, fixed, test)
    best_epoch = schedule.best_epoch.cpu().numpy()
    at_best = history.set_index(["member", "epoch"]).loc[list(enumerate(best_epoch))]
    reasons = schedule.stop_reason.cpu().numpy()
    return pd.DataFrame({
        "member": range(len(best_epoch)),
        "best_epoch": best_epoch,
        "epochs": schedule.stop_epoch.cpu().numpy(),
        "stop_reason": [STOP_REASONS[r] for r in reasons],
        "diverged": [STOP_REASONS[r] == "diverged" for r in reasons],
        "train_loss": at_best["train_loss"].to_numpy(),
        "train_acc": at_best["train_acc"].to_numpy(),
        "val_loss": val_loss.cpu().numpy(),
        "val_acc": val_acc.cpu().numpy(),
        "test_loss": test_loss.cpu().numpy(),
        "test_acc": test_acc.cpu().numpy(),
        "final_lr": schedule.lr.cpu().numpy(),
    })
