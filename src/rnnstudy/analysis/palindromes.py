"""Palindromes (seed 003 §1): remember the first digit of a sequence until its end.

A palindrome of length T over the digits 0–9 (its first ⌈T/2⌉ digits uniform and independent,
the rest their mirror image); the network reads its first T − 1 digits (one-hot, 10 inputs)
and must name the last one, which equals the first: it has to carry the first input across
T − 2 later steps (10 classes, chance 10%). Seed 003 (after the Amsterdam deep-learning
course's assignment) names its runs by the "sequence length"; here T is the palindrome's
length, the input is T − 1 digits long. Every training step draws fresh palindromes, so there
is nothing to memorize.

Members of one shape (seeds, learning rates, ...) train together as one PopulationRNN
population, each on its own stream of palindromes, with per-member optimizer state
(training/steps.py train_steps); a member's draws depend on its identity only, so it trains
as it would alone.
"""
from collections.abc import Callable

import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor

from ..models.stacked import PopulationRNN
from ..seeding import derive_seed
from ..training.steps import train_steps

DIGITS = 10
# How a digit enters the network: one_hot (10 inputs) or scalar (its value 0 … 9 as one
# input: the assignment's code behind seed 003, input_dim 1 by default).
ENCODINGS = {"one_hot": DIGITS, "scalar": 1}


def input_dim(encoding: str) -> int:
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; known: {', '.join(ENCODINGS)}")
    return ENCODINGS[encoding]


def palindromes(generator: torch.Generator, length: int, examples: int,
                encoding: str = "one_hot") -> tuple[Tensor, Tensor]:
    """`examples` random palindromes of `length` digits: (x [length − 1, examples, 10], the
    one-hot first length − 1 digits, time-major (encoding "scalar": [length − 1, examples,
    1], the digits' values); target [examples] int64, the last digit)."""
    if length < 2:
        raise ValueError(f"a palindrome task needs length ≥ 2 (one input and a target), "
                         f"not {length}")
    input_dim(encoding)
    half = torch.randint(0, DIGITS, (examples, (length + 1) // 2), generator=generator)
    digits = torch.cat([half, half[:, :length // 2].flip(1)], dim=1)  # [examples, length]
    inputs = digits[:, :-1].T  # [length − 1, examples]
    if encoding == "scalar":
        x = inputs.unsqueeze(-1).to(torch.float32)
    else:
        x = F.one_hot(inputs, DIGITS).to(torch.float32)
    return x, digits[:, -1].clone()


def train_palindromes(model: PopulationRNN, init: Tensor, lr: Tensor, length: int,
                      section: dict, identity: tuple, device: torch.device,
                      dtype: torch.dtype, optimizer: str = "adam", options: dict | None = None,
                      *, streams: list | None = None) -> pd.DataFrame:
    """Train the members init [P, N] (learning rates lr [P]) on palindromes of `length`.

    Each step every member draws section['batch_size'] fresh palindromes (digits encoded as
    section['encoding'], default one_hot; the model's input_dim must match) from its own
    generator, seeded by derive_seed(*identity, "data", streams[m]) (streams: one hashable
    per member, default its index; give members that should see the same data the same
    one), and takes one `optimizer` step (torch.optim's `options` besides lr) on its mean
    cross-entropy, the gradient clipped to norm section['clip_norm'] (and elements to
    section['clip_value']) where given, for at most section['steps'] steps.

    Convergence rule: at step 0 and every section['evaluate_every'] steps, every member is
    scored on a fresh evaluation set of section['evaluation_examples'] palindromes (drawn
    from derive_seed(*identity, "evaluation", step), the same for all members); a member
    whose accuracy is ≥ section['converge_accuracy'] at an evaluation after step 0 has
    converged: it stops training there (its parameters no longer change) and the run ends
    once every member has converged or diverged.

    Returns one row per member and evaluation up to the member's convergence (its last row
    is the one it converged at; a member that never converges has rows up to the last step
    run): member, step, train_loss (mean cross-entropy of its steps since the previous
    evaluation; empty at 0 and once diverged), accuracy, converged (True on the converging
    row), diverged (the member's loss or gradient stopped being finite at some step; it kept
    its last finite weights)."""
    encoding = section.get("encoding", "one_hot")
    return train_sequences(model, init, lr,
                           lambda g, examples: palindromes(g, length, examples, encoding),
                           section, identity, device, dtype, optimizer, options,
                           streams=streams)


def train_sequences(model: PopulationRNN, init: Tensor, lr: Tensor,
                    draw: Callable[[torch.Generator, int], tuple[Tensor, Tensor]],
                    section: dict, identity: tuple, device: torch.device, dtype: torch.dtype,
                    optimizer: str = "adam", options: dict | None = None, *,
                    streams: list | None = None) -> pd.DataFrame:
    """train_palindromes on any sequence classification task: draw(generator, examples) →
    (x [T, examples, n_in], labels [examples]) gives the training batches and evaluation
    sets; the same seeding, steps, convergence rule and rows."""
    members = init.shape[0]
    streams = list(range(members)) if streams is None else list(streams)
    if len(streams) != members:
        raise ValueError(f"{len(streams)} streams for {members} members")
    generators = [torch.Generator().manual_seed(derive_seed(*identity, "data", s))
                  for s in streams]
    batch_size = section["batch_size"]
    threshold = section["converge_accuracy"]

    def batch(step: int):
        drawn = [draw(g, batch_size) for g in generators]
        x = torch.stack([x for x, _ in drawn], dim=1)  # [T, P, B, n_in]
        target = torch.stack([t for _, t in drawn])  # [P, B]
        return x.to(device, dtype), target.to(device)

    def loss(outputs: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(outputs.transpose(1, 2), target, reduction="none").mean(1)

    records = []

    def evaluate(step: int, params: Tensor) -> Tensor:
        g = torch.Generator().manual_seed(derive_seed(*identity, "evaluation", step))
        x, target = draw(g, section["evaluation_examples"])
        outputs = model.outputs(model.unflatten(params), x.to(device, dtype).unsqueeze(1))
        accuracy = (outputs.argmax(-1) == target.to(device)).to(torch.float64).mean(1)
        converged = (accuracy >= threshold) & (step > 0)
        records.append(pd.DataFrame({"member": range(members), "step": step,
                                     "accuracy": accuracy.cpu().numpy(),
                                     "converged": converged.cpu().numpy()}))
        return converged

    params = init.to(device, dtype)
    with torch.no_grad():
        evaluate(0, params)
    result = train_steps(model, params, lr.to(device), section["steps"], batch, loss,
                         section["evaluate_every"], evaluate,
                         clip_norm=section.get("clip_norm"), optimizer=optimizer,
                         options=options, clip_value=section.get("clip_value"))
    curve = pd.concat(records, ignore_index=True)
    curve = curve.merge(result.curve, how="left", on=["member", "step"])
    member, step = curve["member"].to_numpy(), curve["step"].to_numpy()
    converged_at = result.converged_at.cpu().numpy()[member]  # 0: never
    curve["converged"] = (step == converged_at) & (converged_at > 0)
    curve["diverged"] = (result.diverged_at > 0).cpu().numpy()[member]
    curve = curve[(converged_at == 0) | (step <= converged_at)]  # nothing after converging
    curve = curve[["member", "step", "train_loss", "accuracy", "converged", "diverged"]]
    return curve.sort_values(["member", "step"], kind="stable").reset_index(drop=True)
