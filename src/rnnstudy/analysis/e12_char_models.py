"""E12: next-character prediction, bits per character vs parameters (seed 000 §IV.D; Collins
et al. 2017 §3, on text8).

Each point (architecture × depth × parameter budget) trains its learning rates ×
replicates as one population of character models (models/charlm.py): every member reads
`batch_size` random windows of `window` characters of the corpus's train part per step, its
own draws, from a zero state, and is scored at every step against the next character
(Adam, each member's gradient norm clipped at `clip_norm`). Every `evaluate_every` steps
(and at 0) each member's bits per character on the validation part are measured; the
member's best evaluation is its model, whose bits per character on the test part are
reported.

Evaluation windows (`evaluation_windows`) score every character of a part exactly once; each
scored character is predicted after reading at least `context` characters before it (from
the text before the part where the part has fewer), in windows no longer than the training
windows, so that no model runs longer from its zero state than it was trained to. For the
generated Markov source of order k ≤ context, the true source's prediction from `context`
characters is its prediction from the whole past: the entropy rate is the floor.
"""
from dataclasses import dataclass

import pandas as pd
import torch
from torch import Tensor

from ..data.corpus import Corpus
from ..models.charlm import BITS_PER_NAT, CharLM, next_char_loss
from ..seeding import derive_seed
from ..training.steps import train_steps
from .regression import members_of

# Windows evaluated at once (bounds the memory of an evaluation).
EVALUATION_CHUNK = 512
POINT = ["model", "layers", "budget", "hidden_dim", "parameters"]


@dataclass
class EvaluationSet:
    inputs: Tensor  # [window, 1, W] character ids read
    targets: Tensor  # [window, 1, W] the next characters
    scored: Tensor  # [window, 1, W] 1 where the target counts, else 0

    def to(self, device) -> "EvaluationSet":
        return EvaluationSet(self.inputs.to(device), self.targets.to(device),
                             self.scored.to(device))

    @property
    def characters(self) -> int:
        return int(self.scored.sum())


def evaluation_windows(ids: Tensor, start: int, stop: int, window: int,
                       context: int) -> EvaluationSet:
    """Windows of `window` characters read, covering the targets ids[start:stop] exactly
    once: target j of a window (predicted after reading j + 1 characters) is scored from
    j = context − 1 on. ids is the whole text; windows read the text before `start` where
    they need to, and the last one ends at `stop` (scoring only what the others left)."""
    if not 1 <= context <= window:
        raise ValueError(f"context {context} must be within 1 … window {window}")
    span = window - context + 1  # targets a window can score
    firsts = list(range(start, stop, span))  # each window's first scorable target
    ends = [first + span for first in firsts]
    lows = list(firsts)
    firsts[-1] = stop - span  # the last window ends at `stop` ...
    lows[-1] = ends[-2] if len(ends) > 1 else start  # ... and scores what is left
    ends[-1] = stop
    if min(firsts) < context:
        raise ValueError(f"a part starting at {start} has fewer than {context} characters "
                         "before it")
    offsets = torch.tensor(firsts) - context  # where each window starts reading
    index = offsets[None, :] + torch.arange(window + 1)[:, None]  # [window + 1, W]
    text = ids[index]
    position = index[1:]  # each target's position in the text
    scored = (position >= torch.tensor(lows)) & (position < torch.tensor(ends))
    return EvaluationSet(text[:-1].unsqueeze(1), text[1:].unsqueeze(1),
                         scored.unsqueeze(1).float())


def bits_per_char(model: CharLM, params: Tensor, evaluation: EvaluationSet) -> Tensor:
    """Mean bits per scored character [P] (float64) of each member."""
    nats = torch.zeros(params.shape[0], dtype=torch.float64, device=params.device)
    w = model.unflatten(params)
    with torch.no_grad():
        for first in range(0, evaluation.inputs.shape[2], EVALUATION_CHUNK):
            chunk = slice(first, first + EVALUATION_CHUNK)
            scored = evaluation.scored[:, :, chunk]
            logits = model.outputs(w, evaluation.inputs[:, :, chunk])
            mean = next_char_loss(logits, evaluation.targets[:, :, chunk], scored)
            nats += mean.to(torch.float64) * float(scored.sum())
    return nats / evaluation.characters * BITS_PER_NAT


def train_char_models(corpus: Corpus, cell: str, layers: int, budget: int, hidden: int,
                      section: dict, seed: int, device: torch.device,
                      dtype: torch.dtype) -> pd.DataFrame:
    """One point's learning rates × replicates: per member and evaluation, its training and
    validation bits per character; at each member's best evaluation (`selected`), its
    test bits per character."""
    model = CharLM(cell, len(corpus.alphabet), hidden, layers)
    members = members_of(section["learning_rates"], section["replicates"])
    identity = (seed, "e12", cell, layers, hidden, section["window"])

    def generator(*parts) -> torch.Generator:
        return torch.Generator().manual_seed(derive_seed(*identity, *parts))

    ids = corpus.ids()
    window, context, batch_size = section["window"], section["context"], section["batch_size"]
    parts = {p: evaluation_windows(ids, *corpus.splits[p], window, context).to(device)
             for p in ("validation", "test")}
    train_start, train_stop = corpus.splits["train"]
    if train_stop - train_start <= window:
        raise ValueError(f"the train part ({train_stop - train_start} characters) is not "
                         f"longer than a window ({window})")
    train = ids[train_start:train_stop].to(device)
    streams = [generator("data", m.lr, m.replicate) for m in members]
    reach = torch.arange(window + 1, device=device)

    def batch(step: int) -> tuple[Tensor, Tensor]:
        starts = torch.stack([torch.randint(0, len(train) - window, (batch_size,),
                                            generator=stream) for stream in streams])
        text = train[starts.to(device)[:, :, None] + reach].permute(2, 0, 1)  # [T+1, P, B]
        return text[:-1], text[1:]

    params = torch.stack([model.draw(generator("init", m.replicate), section["scale"],
                                     section["gate_bias"], dtype) for m in members]).to(device)
    best = {"bits": torch.full((len(members),), float("inf"), dtype=torch.float64,
                               device=device), "step": torch.zeros(len(members), dtype=torch.int64),
            "params": params.clone()}
    records = []

    def evaluate(step: int, current: Tensor) -> None:
        bits = bits_per_char(model, current, parts["validation"])
        better = bits < best["bits"]  # NaN (a diverged member) is never better
        best["bits"] = torch.where(better, bits, best["bits"])
        best["step"] = torch.where(better.cpu(), step, best["step"])
        best["params"][better] = current[better]
        records.append(pd.DataFrame({"member": range(len(members)), "step": step,
                                     "validation_bits": bits.cpu().numpy()}))

    evaluate(0, params)
    lr = torch.tensor([m.lr for m in members], dtype=torch.float64, device=device)
    result = train_steps(model, params, lr, section["steps"], batch, next_char_loss,
                         section["evaluate_every"], evaluate, clip_norm=section["clip_norm"])
    test_bits = bits_per_char(model, best["params"], parts["test"]).cpu().numpy()
    curve = pd.concat(records, ignore_index=True).merge(result.curve, how="left",
                                                        on=["member", "step"])
    member = curve["member"].to_numpy()
    chosen = best["step"].numpy()[member]
    curve["train_bits"] = curve.pop("train_loss") * BITS_PER_NAT
    curve["selected"] = curve["step"].to_numpy() == chosen
    curve["test_bits"] = test_bits[member]
    curve.loc[~curve["selected"], "test_bits"] = float("nan")
    curve["diverged"] = (result.diverged_at > 0).cpu().numpy()[member]
    curve.insert(1, "replicate", [members[m].replicate for m in member])
    curve.insert(2, "lr", [members[m].lr for m in member])
    curve = curve.drop(columns="member")
    point = {"model": cell, "layers": layers, "budget": budget, "hidden_dim": hidden,
             "parameters": model.n_params}
    for i, (key, value) in enumerate(point.items()):
        curve.insert(i, key, value)
    return curve[POINT + ["replicate", "lr", "step", "train_bits", "validation_bits",
                          "selected", "test_bits", "diverged"]]


def best_points(curves: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """Per point: the learning rate whose replicates have the lowest mean validation bits
    (each at its selected evaluation), their mean test bits with its range, and the floor."""
    chosen = curves[curves["selected"]]
    per_lr = (chosen.groupby(POINT + ["lr"], as_index=False)
              .agg(validation_bits=("validation_bits", "mean"),
                   test_bits=("test_bits", "mean"), test_bits_low=("test_bits", "min"),
                   test_bits_high=("test_bits", "max"), replicates=("replicate", "count"),
                   best_step=("step", "median")))
    best = per_lr.loc[per_lr.groupby(POINT)["validation_bits"].idxmin()]
    best = best.rename(columns={"lr": "best_lr"}).reset_index(drop=True)
    diverged = curves.groupby(POINT + ["lr", "replicate"])["diverged"].max().groupby(POINT).sum()
    best["diverged"] = best.set_index(POINT).index.map(diverged).to_numpy()
    source_bits = corpus.source_bits()
    best["entropy_rate"] = corpus.entropy_rate
    best["source_test_bits"] = source_bits["test"] if source_bits else None
    return best[POINT + ["best_lr", "validation_bits", "test_bits", "test_bits_low",
                         "test_bits_high", "replicates", "best_step", "diverged",
                         "entropy_rate", "source_test_bits"]]
