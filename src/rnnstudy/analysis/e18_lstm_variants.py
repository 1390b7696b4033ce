"""E18: LSTM variants (seeds 004 and 002, after Greff et al. 2017 "LSTM: A Search Space
Odyssey" and Gers et al. 2000 on the forget gate).

Cells: the standard LSTM (torch.nn's, no peepholes), the peephole LSTM, the coupled
input-forget gate (CIFG), the LSTM without a forget gate and the GRU (models/cells.py), each
at every forget-gate bias of the section (the bias of the gate that keeps the state: the
LSTM's and its variants' f, the GRU's z; the LSTM without a forget gate has none and trains
once per replicate).

Tasks, each at its configured lengths T:
- palindrome: analysis/palindromes.py (the first of T digits carried across T − 2 steps;
  section['encoding'] of the digits, default one-hot);
- xor: seed 001's xor labelling (data/sentiment.py: positive iff the first two non-stop words
  differ in sentiment; sequences with fewer than two are redrawn) on sequences of T words
  drawn uniformly from its 10-word vocabulary, one-hot, generated fresh at every step inside
  the job (the pipeline's dataset files have seed 001's length 10, too short for the forget
  gate to matter). The words after the first two sentiment words are distractors the state
  must not let in.
Both are trained with the same rule (palindromes.train_palindromes's: fresh examples every
step, an evaluation every evaluate_every steps on a fresh evaluation set shared by all
members, convergence at converge_accuracy, the run ending once every member has converged or
diverged).

One population per cell × task × length: members are forget biases × replicates. The init
generator is seeded from the replicate, not the cell or the bias: a replicate's weights are
the same under every bias (only the bias differs), the peephole LSTM starts exactly as the
LSTM (its peepholes at 0), the cells with other shapes draw theirs from the same generator,
and every cell sees the same sequences.
"""
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor

from ..data.sentiment import Vocabulary, label
from ..models.shapes import KEEP_GATE
from ..models.stacked import PopulationRNN, Shape
from ..seeding import derive_seed
from .palindromes import DIGITS, input_dim, train_palindromes, train_sequences

TASKS = ("palindrome", "xor")
CLASSES = {"palindrome": DIGITS, "xor": 2}
WORDS = Vocabulary().size  # seed 001's 10 words: the xor task's one-hot inputs
RUN = ["task", "length", "model", "forget_bias", "replicate"]
GROUP = ["task", "length", "model", "forget_bias"]


def xor_sequences(generator: torch.Generator, length: int,
                  examples: int) -> tuple[Tensor, Tensor]:
    """`examples` sequences of seed 001's xor task with `length` words: (x [length,
    examples, 10] one-hot, time-major; target [examples] int64, 1 = positive). Sequences
    with fewer than two sentiment words are redrawn, as data/sentiment.py does."""
    vocabulary = Vocabulary()
    kept_tokens, kept_labels, kept = [], [], 0
    while kept < examples:
        tokens = torch.randint(0, vocabulary.size, (examples - kept, length),
                               generator=generator)
        labels, valid = label("xor", tokens.numpy(), vocabulary)
        valid = torch.from_numpy(np.asarray(valid))
        kept_tokens.append(tokens[valid])
        kept_labels.append(torch.from_numpy(labels.astype(np.int64))[valid])
        kept += int(valid.sum())
    tokens = torch.cat(kept_tokens)
    return F.one_hot(tokens.T, vocabulary.size).to(torch.float32), torch.cat(kept_labels)


def train_xor(model: PopulationRNN, init: Tensor, lr: Tensor, length: int, section: dict,
              identity: tuple, device: torch.device, dtype: torch.dtype,
              optimizer: str = "adam", options: dict | None = None, *,
              streams: list | None = None) -> pd.DataFrame:
    """train_palindromes on xor_sequences: the same seeding, steps, convergence rule and
    rows (member, step, train_loss, accuracy, converged, diverged)."""
    return train_sequences(model, init, lr, lambda g, examples: xor_sequences(g, length,
                                                                             examples),
                           section, identity, device, dtype, optimizer, options,
                           streams=streams)


TRAINERS = {"palindrome": train_palindromes, "xor": train_xor}


def biases_of(cell: str, forget_biases: list[float]) -> list[float | None]:
    """The forget biases a cell trains at: every one if it has a gate that keeps the state,
    else one run per replicate (None)."""
    return list(forget_biases) if cell in KEEP_GATE else [None]


def train_variant(cell: str, task: str, length: int, section: dict, seed: int,
                  device: torch.device, dtype: torch.dtype) -> pd.DataFrame:
    """Every forget bias × replicate of one cell on one task and length: the trainer's rows
    with the run's identity columns (RUN); forget_bias is empty for the LSTM without a
    forget gate."""
    hidden, encoding = section["hidden"], section.get("encoding", "one_hot")
    inputs = WORDS if task == "xor" else input_dim(encoding)
    model = PopulationRNN(Shape(cell, inputs, hidden, 1, CLASSES[task]))
    members = [(b, r) for b in biases_of(cell, section["forget_biases"])
               for r in range(section["replicates"])]
    identity = (seed, "e18", task, length, hidden)

    def init_of(bias: float | None, replicate: int) -> Tensor:
        g = torch.Generator().manual_seed(derive_seed(*identity, "init", replicate))
        return model.draw(g, section["scale"], 0.0 if bias is None else bias, dtype)

    params = torch.stack([init_of(b, r) for b, r in members])
    lr = torch.full((len(members),), section["lr"], dtype=torch.float64)
    run_section = {key: section[key] for key in ("steps", "batch_size", "evaluate_every",
                                                 "evaluation_examples", "converge_accuracy")}
    run_section["encoding"] = encoding  # the palindromes' (xor is one-hot)
    if section.get("clip_norm") is not None:
        run_section["clip_norm"] = section["clip_norm"]
    curve = TRAINERS[task](model, params, lr, length, run_section, identity, device, dtype,
                           streams=[r for _, r in members])
    member = curve.pop("member").to_numpy()
    identity_columns = pd.DataFrame({
        "task": task, "length": length, "model": cell,
        "forget_bias": [np.nan if members[m][0] is None else members[m][0] for m in member],
        "replicate": [members[m][1] for m in member]})
    return pd.concat([identity_columns, curve.reset_index(drop=True)], axis=1)


def runs(curves: pd.DataFrame) -> pd.DataFrame:
    """One row per run: converged, the step it converged at, diverged, its best and last
    accuracy and the steps it took."""
    ordered = curves.sort_values(RUN + ["step"], kind="stable")
    grouped = ordered.groupby(RUN, sort=False, dropna=False)
    out = grouped.agg(converged=("converged", "any"), diverged=("diverged", "max"),
                      best_accuracy=("accuracy", "max"), final_accuracy=("accuracy", "last"),
                      steps=("step", "max")).reset_index()
    at = ordered[ordered["converged"]].groupby(RUN, dropna=False)["step"].first()
    out["converged_at"] = out.set_index(RUN).index.map(at).to_numpy()
    return out[RUN + ["converged", "converged_at", "diverged", "best_accuracy",
                      "final_accuracy", "steps"]]


def accuracy(run_table: pd.DataFrame) -> pd.DataFrame:
    """Per task × length × cell × forget bias: runs, successes (converged), diverged runs,
    the median of the runs' best accuracy and the median step of convergence among those
    that converged."""
    return (run_table.groupby(GROUP, sort=False, dropna=False)
            .agg(runs=("replicate", "count"), successes=("converged", "sum"),
                 diverged=("diverged", "sum"), best_accuracy=("best_accuracy", "median"),
                 converged_at=("converged_at", "median"))
            .reset_index())
