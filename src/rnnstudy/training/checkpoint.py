"""Checkpoints of a training population, so a killed job resumes where it stopped.

A checkpoint holds everything the next epoch depends on: parameters, best parameters, Adam
state, each member's schedule, the history so far (and the trajectory, if kept) and the
epoch. Data order needs no random state: it is derived from (member seed, epoch). A
checkpoint carries a fingerprint of the job's inputs and parameters, and is used only by a
job with the same fingerprint; one that is unreadable is ignored (the job starts over).
"""
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..atomic import atomic_path

log = logging.getLogger(__name__)


@dataclass
class Checkpoint:
    path: Path
    fingerprint: str
    every_epochs: int = 10
    every_seconds: float = 300.0
    _saved_at: float = field(default_factory=time.monotonic, repr=False)
    _saved_epoch: int = field(default=0, repr=False)

    def load(self) -> dict | None:
        """The saved state if there is a usable one, else None."""
        if not self.path.exists():
            return None
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as error:  # a checkpoint is disposable: any defect means start over
            log.warning("ignoring unreadable checkpoint %s (%s)", self.path, error)
            return None
        if not isinstance(state, dict) or state.get("fingerprint") != self.fingerprint:
            log.warning("ignoring checkpoint %s: it belongs to other inputs or settings",
                        self.path)
            return None
        self._saved_epoch = state["epoch"]
        log.info("resuming from checkpoint %s at epoch %d", self.path, state["epoch"])
        return state

    def due(self, epoch: int) -> bool:
        return (epoch - self._saved_epoch >= self.every_epochs
                or time.monotonic() - self._saved_at >= self.every_seconds)

    def save(self, state: dict, epoch: int) -> None:
        with atomic_path(self.path) as tmp:
            torch.save({**state, "fingerprint": self.fingerprint, "epoch": epoch}, tmp)
        self._saved_at, self._saved_epoch = time.monotonic(), epoch

    def remove(self) -> None:
        """Called once the job's outputs are written: a checkpoint is not an artifact."""
        if self.path.exists():
            os.unlink(self.path)
