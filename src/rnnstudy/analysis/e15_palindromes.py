"""E15 (seed 003 §1): how long a palindrome each architecture learns, and the summaries that
E16 (RMSprop vs Adam) and E13 (optimizers) share.

One population per architecture × palindrome length T: its members are learning rates ×
replicates. Replicate r of a length starts from the same weights and reads the same
palindromes whatever the optimizer or learning rate (its seeds derive from the root seed,
the architecture, units, encoding, T and r only), so E16's RMSprop runs pair with E15's Adam
runs and E13's optimizers pair by replicate.
"""
import numpy as np
import pandas as pd
import torch

from ..models.stacked import PopulationRNN, Shape
from ..seeding import derive_seed
from .palindromes import DIGITS, input_dim, train_palindromes
from .regression import members_of

MEMBER = ["lr", "replicate"]


def train_length(cell: str, length: int, section: dict, seed: int, device: torch.device,
                 dtype: torch.dtype, optimizer: str = "adam", options: dict | None = None,
                 learning_rates: list[float] | None = None) -> pd.DataFrame:
    """Every learning rate (section['lr'] unless `learning_rates`) × replicate of one
    architecture on palindromes of `length`, as one population: the evaluation rows of
    train_palindromes (its convergence rule) with the optimizer, architecture, length, units,
    lr and replicate in place of member."""
    hidden, encoding = section["hidden"], section["encoding"]
    model = PopulationRNN(Shape(cell, input_dim(encoding), hidden, 1, DIGITS))
    members = members_of(learning_rates or [section["lr"]], section["replicates"])
    identity = (seed, "palindromes", cell, hidden, encoding, length)
    init = torch.stack([
        model.draw(torch.Generator().manual_seed(derive_seed(*identity, "init", m.replicate)),
                   section["scale"], section["gate_bias"], dtype) for m in members])
    lr = torch.tensor([m.lr for m in members], dtype=torch.float64)
    curve = train_palindromes(model, init, lr, length, section, identity, device, dtype,
                              optimizer, options, streams=[m.replicate for m in members])
    member = curve.pop("member").to_numpy()
    head = pd.DataFrame({"optimizer": optimizer, "model": cell, "length": length,
                         "hidden_dim": hidden,
                         "lr": [members[m].lr for m in member],
                         "replicate": [members[m].replicate for m in member]})
    return pd.concat([head, curve], axis=1)


def runs(curves: pd.DataFrame, point: list[str], steps: int,
         evaluate_every: int) -> pd.DataFrame:
    """One row per run (point × lr × replicate): converged, the step it converged at (empty
    if it did not), the steps it trained, its best and last accuracy, its last training
    loss, diverged, and `score`: its mean accuracy over the evaluations 0, E, 2E, …, steps
    (E = evaluate_every), an evaluation after it stopped counting at its last accuracy (it
    no longer changes): the area under its accuracy curve, which rewards converging early."""
    keys = point + MEMBER
    grid = np.unique(np.r_[np.arange(0, steps + 1, evaluate_every), steps])
    rows = []
    for key, g in curves.sort_values("step").groupby(keys, sort=False):
        step, accuracy = g["step"].to_numpy(), g["accuracy"].to_numpy()
        held = accuracy[np.searchsorted(step, grid, side="right") - 1]
        loss = g["train_loss"].dropna()
        converged = bool(g["converged"].any())
        rows.append({**dict(zip(keys, key)), "converged": converged,
                     "converged_at": int(step[-1]) if converged else None,
                     "steps": int(step[-1]), "best_accuracy": float(accuracy.max()),
                     "final_accuracy": float(accuracy[-1]),
                     "final_loss": float(loss.iloc[-1]) if len(loss) else None,
                     "score": float(held.mean()), "diverged": bool(g["diverged"].any())})
    table = pd.DataFrame(rows)
    table["converged_at"] = table["converged_at"].astype("Int64")
    return table.sort_values(keys).reset_index(drop=True)


def longest(run_table: pd.DataFrame, point: list[str]) -> pd.DataFrame:
    """Per point × lr × replicate (the lengths apart): `longest`, the longest length at
    which the run converged (0: at none); `through`, the longest length up to which it
    converged at every length of the grid (0 if it failed at the shortest); `gaps`, the
    shorter lengths at which it failed (a non-monotone pattern: `longest` counts it as
    converged at its longest length all the same); `lengths`, lengths tried."""
    keys = point + MEMBER
    rows = []
    for key, g in run_table.sort_values("length").groupby(keys, sort=False):
        lengths, converged = g["length"].to_numpy(), g["converged"].to_numpy(bool)
        best = int(lengths[converged].max()) if converged.any() else 0
        failed = np.flatnonzero(~converged)
        through = int(lengths[failed[0] - 1]) if len(failed) and failed[0] > 0 else (
            0 if len(failed) else int(lengths[-1]))
        rows.append({**dict(zip(keys, key)), "longest": best, "through": through,
                     "gaps": int((~converged & (lengths < best)).sum()),
                     "lengths": len(lengths)})
    return pd.DataFrame(rows).sort_values(keys).reset_index(drop=True)
