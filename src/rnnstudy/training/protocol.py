"""Seed 001's training protocol (§III.B), kept per member.

Adam at `lr`; after every epoch the learning rate is multiplied by `lr_decay` if validation
accuracy got worse than the previous epoch's; a member stops when its validation accuracy has
not improved on its best for `patience` epochs, when its learning rate falls below `min_lr`,
after `max_epochs`, or when its loss stops being finite (diverged). Its reported weights are
those of its best validation epoch.
"""
from dataclasses import asdict, dataclass

import torch
from torch import Tensor

STOP_REASONS = ("running", "patience", "min_lr", "max_epochs", "diverged")
RUNNING, PATIENCE, MIN_LR, MAX_EPOCHS, DIVERGED = range(len(STOP_REASONS))


@dataclass(frozen=True)
class Protocol:
    lr: float = 1e-3
    lr_decay: float = 0.5
    min_lr: float = 1e-6
    patience: int = 4
    max_epochs: int = 150
    batch_size: int = 64
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    @classmethod
    def from_config(cls, training: dict) -> "Protocol":
        known = {k: v for k, v in training.items() if k in cls.__dataclass_fields__}
        if "betas" in known:
            known["betas"] = tuple(known["betas"])
        return cls(**known)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Schedule:
    """Per-member schedule and stopping state, tensors [P] on the training device."""
    lr: Tensor
    best_val_acc: Tensor
    best_epoch: Tensor
    since_best: Tensor
    last_val_acc: Tensor  # NaN before the first epoch
    stop_reason: Tensor  # index into STOP_REASONS
    stop_epoch: Tensor  # last epoch trained (0 while running)

    @classmethod
    def start(cls, n: int, protocol: Protocol, device) -> "Schedule":
        def full(value, dtype):
            return torch.full((n,), value, device=device, dtype=dtype)
        return cls(lr=full(protocol.lr, torch.float64),
                   best_val_acc=full(float("-inf"), torch.float64),
                   best_epoch=full(0, torch.int64), since_best=full(0, torch.int64),
                   last_val_acc=full(float("nan"), torch.float64),
                   stop_reason=full(RUNNING, torch.int64), stop_epoch=full(0, torch.int64))

    @property
    def running(self) -> Tensor:
        return self.stop_reason == RUNNING

    def update(self, index: Tensor, epoch: int, val_acc: Tensor, finite: Tensor,
               protocol: Protocol) -> Tensor:
        """Apply one epoch's validation accuracy to members `index`; returns who improved."""
        val_acc = val_acc.to(torch.float64)
        best = self.best_val_acc[index]
        improved = finite & (val_acc > best)
        self.best_val_acc[index] = torch.where(improved, val_acc, best)
        self.best_epoch[index] = torch.where(improved, epoch, self.best_epoch[index])
        since = torch.where(improved, 0, self.since_best[index] + 1)
        self.since_best[index] = since
        lr = self.lr[index]
        lr = torch.where(val_acc < self.last_val_acc[index], lr * protocol.lr_decay, lr)
        self.lr[index] = lr
        self.last_val_acc[index] = val_acc
        reason = torch.full_like(since, RUNNING)
        reason = torch.where(torch.tensor(epoch >= protocol.max_epochs, device=reason.device),
                             MAX_EPOCHS, reason)
        reason = torch.where(lr < protocol.min_lr, MIN_LR, reason)
        reason = torch.where(since >= protocol.patience, PATIENCE, reason)
        reason = torch.where(finite, reason, DIVERGED)
        self.stop_reason[index] = reason
        self.stop_epoch[index] = epoch
        return improved

    def state_dict(self) -> dict:
        return dict(vars(self))
