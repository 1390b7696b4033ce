"""E14: initialization of the recurrent matrix and gradient clipping (seed 000 §VI, Figs.
13-14; seed 002's training tips).

Seed 000 §VI names no task for its Figs. 13-14 (tanh and ReLU RNNs). Here it is the
palindrome task (analysis/palindromes.py, seed 003): the first digit must be carried across
T − 2 later steps, which is exactly what the recurrent matrix's initialization decides — the
ReLU RNN's state shrinks by about 1/√2 per step under the default N(0, 1/H) init and keeps its
size under the identity (Le et al. 2015) and He inits. The same digits, evaluation sets and
convergence rule serve E15, E16 and E18.

Members of one population: recurrent inits × replicates of one activation, length,
optimizer and clipping mode (training/steps.py clips per call, so each clipping mode is its
own shard). A replicate's input weights (drawn before W_hh) and palindromes are the same
under every init, and its whole start under every clipping mode and optimizer (its
generators are seeded from the replicate, not the init), so the comparisons are paired; the
readout, drawn after W_hh, differs between inits that use the generator differently. A run
succeeds when it converges (palindromes' rule); a diverged run (loss or gradient no longer
finite) fails and is counted, never dropped.
"""
import pandas as pd
import torch

from ..models.stacked import PopulationRNN, Shape
from ..seeding import derive_seed
from .palindromes import DIGITS, input_dim, train_palindromes

CLIPPINGS = ("none", "norm", "value")
RUN = ["optimizer", "lr", "model", "length", "clipping", "init", "replicate"]
GROUP = ["optimizer", "lr", "model", "length", "clipping", "init"]


def optimizer_settings(section: dict, optimizer: str) -> tuple[float, dict | None]:
    """The learning rate and torch.optim options of `optimizer` in section['optimizers']."""
    settings = dict(section["optimizers"][optimizer])
    lr = settings.pop("lr")
    return lr, (settings or None)


def clip_settings(section: dict, clipping: str) -> dict:
    """train_palindromes' section keys for a clipping mode: none, norm (each member's
    gradient norm at most clip_norm) or value (each element within ±clip_value)."""
    if clipping == "none":
        return {}
    if clipping == "norm":
        return {"clip_norm": section["clip_norm"]}
    if clipping == "value":
        return {"clip_value": section["clip_value"]}
    raise ValueError(f"unknown clipping {clipping!r}; known: {', '.join(CLIPPINGS)}")


def train_inits(cell: str, length: int, optimizer: str, clipping: str, section: dict,
                seed: int, device: torch.device, dtype: torch.dtype) -> pd.DataFrame:
    """Every init × replicate of one activation (`cell`: rnn or rnn_relu), palindrome length,
    optimizer and clipping mode: train_palindromes' rows with the run's identity columns
    (RUN)."""
    hidden, encoding = section["hidden"], section.get("encoding", "one_hot")
    model = PopulationRNN(Shape(cell, input_dim(encoding), hidden, 1, DIGITS))
    members = [(init, r) for init in section["inits"] for r in range(section["replicates"])]
    identity = (seed, "e14", cell, length, hidden)

    def init_of(init: str, replicate: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(derive_seed(*identity, "init", replicate))
        return model.draw(g, 1.0, 0.0, dtype, init)

    params = torch.stack([init_of(init, r) for init, r in members])
    lr, options = optimizer_settings(section, optimizer)
    run_section = {key: section[key] for key in ("steps", "batch_size", "evaluate_every",
                                                 "evaluation_examples", "converge_accuracy")}
    run_section.update(encoding=encoding, **clip_settings(section, clipping))
    lrs = torch.full((len(members),), lr, dtype=torch.float64)
    curve = train_palindromes(model, params, lrs, length, run_section, identity, device,
                              dtype, optimizer, options, streams=[r for _, r in members])
    member = curve.pop("member").to_numpy()
    identity_columns = pd.DataFrame({
        "optimizer": optimizer, "lr": lr, "model": cell, "length": length,
        "clipping": clipping,
        "init": [members[m][0] for m in member], "replicate": [members[m][1] for m in member]})
    return pd.concat([identity_columns, curve.reset_index(drop=True)], axis=1)


def runs(curves: pd.DataFrame) -> pd.DataFrame:
    """One row per run: converged (it succeeded), the step it converged at, diverged, its
    best and last accuracy and the steps it took."""
    ordered = curves.sort_values(RUN + ["step"], kind="stable")
    grouped = ordered.groupby(RUN, sort=False)
    out = grouped.agg(converged=("converged", "any"), diverged=("diverged", "max"),
                      best_accuracy=("accuracy", "max"), final_accuracy=("accuracy", "last"),
                      steps=("step", "max")).reset_index()
    at = ordered[ordered["converged"]].set_index(RUN)["step"]
    out["converged_at"] = out.set_index(RUN).index.map(at).to_numpy()
    return out[RUN + ["converged", "converged_at", "diverged", "best_accuracy",
                      "final_accuracy", "steps"]]


def counts(run_table: pd.DataFrame) -> pd.DataFrame:
    """Per optimizer × activation × length × clipping × init: runs, successes (converged) and
    diverged runs."""
    return (run_table.groupby(GROUP, sort=False)
            .agg(runs=("replicate", "count"), successes=("converged", "sum"),
                 diverged=("diverged", "sum"))
            .reset_index())
