"""E17: a character-level generative LSTM with temperature sampling (seed 003 §3), and seed
002's dropout tip (Zaremba et al. 2014) tested on it.

The model (seed 003's assignment): one-hot characters → `layers` LSTM layers → a linear
readout → logits of the next character, trained on random windows of `sequence_length + 1`
characters of the corpus's training part (each window from a zero state) with Adam and the
gradient norm clipped. Each layer is a torch.nn.LSTM (the fused kernel: one model trains
alone here, so a population gains nothing); dropout variants:

- `none`: no dropout (seed 003's model);
- `between`: dropout on the non-recurrent connections between layers — the output of every
  LSTM layer, where it feeds the next layer and, for the top one, the readout (Zaremba et
  al.'s placement; their word embedding is dropped too, a one-hot character is not here);
- `recurrent`: dropout on h_{t−1} where it feeds the recurrence (W_hh·h_{t−1}) of every
  layer, a fresh mask at every step (the "dropout along time" Zaremba et al. argue against);
  c_{t−1} and the output h_t are not dropped. nn.LSTM cannot do this, so these layers step in
  Python (`recurrent_dropout_layer`, equal to nn.LSTM when nothing is dropped).

Dropout is inverted (kept units scaled by 1/(1 − p), as nn.Dropout) and only in training;
evaluation and sampling use the whole network. Every random draw — initial weights, the
windows of each step, each step's dropout masks, the samples — comes from a generator seeded
from the run's identity, so a job killed and resumed from its checkpoint ends bit for bit
where an uninterrupted one does (on the CPU).

Sampling: the next character is drawn from softmax(logits / T) by inverse CDF on one uniform
per sequence and step (T = 0: greedy, the argmax); the same uniforms at every temperature,
so that samples at different temperatures differ only by T.
"""
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..seeding import derive_seed
from ..training.checkpoint import Checkpoint

VARIANTS = ("none", "between", "recurrent")
LN2 = math.log(2)
EVALUATION_BATCH = 1024  # windows per forward pass when scoring a part


class CharLSTM(nn.Module):
    """Logits of the next character for every position of a character sequence."""

    def __init__(self, characters: int, hidden: int, layers: int, variant: str = "none",
                 dropout: float = 0.0):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"unknown dropout variant {variant!r} (one of {VARIANTS})")
        self.characters, self.variant, self.dropout = characters, variant, dropout
        self.lstms = nn.ModuleList(nn.LSTM(characters if layer == 0 else hidden, hidden)
                                   for layer in range(layers))
        self.readout = nn.Linear(hidden, characters)

    @torch.no_grad()
    def init_weights(self, generator: torch.Generator) -> None:
        """Every parameter U(−1/√H, 1/√H) — torch.nn's default for nn.LSTM and (fan-in H)
        for the readout — drawn in parameter order from `generator` (on the CPU)."""
        bound = 1 / math.sqrt(self.readout.in_features)
        for p in self.parameters():
            p.copy_(torch.rand(p.shape, generator=generator, dtype=torch.float64)
                    .mul(2 * bound).sub(bound))

    def forward(self, ids: Tensor, state: list | None = None,
                masks: torch.Generator | None = None) -> tuple[Tensor, list]:
        """ids [T, B] → logits [T, B, V] and the final state (per layer (h, c), each
        [1, B, H]). With `masks` (training) the variant's dropout masks are drawn from it."""
        x = F.one_hot(ids, self.characters).to(self.readout.weight.dtype)
        drop = masks is not None and self.dropout > 0
        final = []
        for layer, lstm in enumerate(self.lstms):
            start = None if state is None else state[layer]
            if drop and self.variant == "recurrent":
                x, last = recurrent_dropout_layer(lstm, x, start, self.dropout, masks)
            else:
                x, last = lstm(x, start)
            if drop and self.variant == "between":
                x = x * keep_mask(x.shape, self.dropout, masks, x)
            final.append(last)
        return self.readout(x), final


def keep_mask(shape, p: float, generator: torch.Generator, like: Tensor) -> Tensor:
    """Inverted dropout: 1/(1 − p) with probability 1 − p, else 0."""
    keep = torch.rand(shape, generator=generator, device=like.device, dtype=like.dtype) >= p
    return keep.to(like.dtype) / (1 - p)


def recurrent_dropout_layer(lstm: nn.LSTM, x: Tensor, state: tuple | None, p: float,
                            generator: torch.Generator | None) -> tuple[Tensor, tuple]:
    """One single-layer nn.LSTM's weights stepped in Python, with dropout p on h_{t−1} where
    it enters the recurrence, a fresh mask per step (p = 0 or no generator: the plain LSTM,
    PyTorch's equations and gate order i, f, g, o). x [T, B, in] → outputs [T, B, H] and
    (h, c) [1, B, H]."""
    steps, batch, _ = x.shape
    hidden = lstm.hidden_size
    gx = F.linear(x, lstm.weight_ih_l0, lstm.bias_ih_l0)  # [T, B, 4H]: every step at once
    if state is None:
        h = c = x.new_zeros(batch, hidden)
    else:
        h, c = state[0][0], state[1][0]
    keep = (keep_mask((steps, batch, hidden), p, generator, x)
            if generator is not None and p > 0 else None)
    outputs = []
    for t in range(steps):
        recurrent = h if keep is None else h * keep[t]
        i, f, g, o = (gx[t] + F.linear(recurrent, lstm.weight_hh_l0, lstm.bias_hh_l0)).chunk(4, -1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs), (h.unsqueeze(0), c.unsqueeze(0))


# -- measures -----------------------------------------------------------------------------

def entropy_bits(logits: Tensor, temperature: float) -> Tensor:
    """Entropy (bits) of softmax(logits / T) over the last axis; T = 0 (greedy): 0."""
    if temperature == 0:
        return torch.zeros(logits.shape[:-1], dtype=torch.float64, device=logits.device)
    logp = torch.log_softmax(logits.double() / temperature, -1)
    return -(logp.exp() * logp).sum(-1) / LN2


def distinct_fraction(text: str, n: int) -> float:
    """Distinct n-grams over n-grams of `text` (1: none repeats); NaN when shorter than n."""
    grams = [text[i:i + n] for i in range(len(text) - n + 1)]
    return len(set(grams)) / len(grams) if grams else float("nan")


def sample_next(logits: Tensor, temperature: float, generator: torch.Generator) -> Tensor:
    """One character per row of logits [B, V] from softmax(logits / T), by inverse CDF of
    one uniform per row (drawn even when T = 0, the argmax, so that every temperature uses
    the same uniforms)."""
    u = torch.rand(logits.shape[0], 1, generator=generator, dtype=torch.float64,
                   device=logits.device)
    if temperature == 0:
        return logits.argmax(-1)
    cdf = torch.softmax(logits.double() / temperature, -1).cumsum(-1)
    index = torch.searchsorted(cdf, u * cdf[:, -1:], right=True)
    return index.clamp_(max=logits.shape[-1] - 1).squeeze(1)


@dataclass
class Generated:
    ids: Tensor  # [length, B] the generated characters (after the prompt)
    entropy: Tensor  # [length, B] bits of the distribution each was drawn from
    model_log2p: Tensor  # [length, B] log2 of its probability under the model (T = 1)


@torch.no_grad()
def generate(model: CharLSTM, prompt: Tensor, length: int, temperature: float,
             generator: torch.Generator) -> Generated:
    """`length` characters after prompt [P, B] (ids, time-major), each fed back in."""
    logits, state = model(prompt)
    last = logits[-1]
    ids, entropy, logp = [], [], []
    for _ in range(length):
        x = sample_next(last, temperature, generator)
        ids.append(x)
        entropy.append(entropy_bits(last, temperature))
        logp.append(torch.log_softmax(last.double(), -1).gather(1, x[:, None])[:, 0] / LN2)
        logits, state = model(x[None], state)
        last = logits[-1]
    return Generated(torch.stack(ids), torch.stack(entropy), torch.stack(logp))


# -- training -----------------------------------------------------------------------------

def windows(ids: Tensor, starts: Tensor, length: int) -> Tensor:
    """[length, B]: the characters ids[s : s + length] for every start s."""
    return ids[starts[None, :] + torch.arange(length, device=ids.device)[:, None]]


@torch.no_grad()
def score(model: CharLSTM, ids: Tensor, length: int) -> tuple[float, float]:
    """(bits per character, next-character accuracy) of the model on a part, read as
    consecutive windows of `length` inputs, each from a zero state (as in training); every
    position of every window is scored."""
    count = (len(ids) - 1) // length
    starts = torch.arange(count, device=ids.device) * length
    bits, correct = 0.0, 0
    for chunk in starts.split(EVALUATION_BATCH):
        text = windows(ids, chunk, length + 1)
        logits, _ = model(text[:-1])
        target = text[1:]
        bits += float(F.cross_entropy(logits.flatten(0, 1).double(), target.flatten(),
                                      reduction="sum")) / LN2
        correct += int((logits.argmax(-1) == target).sum())
    return bits / (count * length), correct / (count * length)


def train_step(model: CharLSTM, optimizer: torch.optim.Optimizer, text: Tensor,
               masks: torch.Generator | None, clip_norm: float | None) -> tuple[Tensor, Tensor]:
    """One Adam step on windows text [T + 1, B] (inputs text[:-1], targets text[1:]): the
    mean cross-entropy (nats) and the number of next characters predicted right."""
    logits, _ = model(text[:-1], masks=masks)
    loss = F.cross_entropy(logits.flatten(0, 1), text[1:].flatten())
    optimizer.zero_grad()
    loss.backward()
    if clip_norm is not None:
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.detach(), (logits.detach().argmax(-1) == text[1:]).sum()


def snapshot_steps(steps: int, snapshots: int) -> list[int]:
    """`snapshots` evenly spaced steps, the last one `steps`."""
    return sorted({round(steps * k / snapshots) for k in range(1, snapshots + 1)} - {0})


@dataclass
class Trained:
    model: CharLSTM  # after the last step
    curve: pd.DataFrame  # step, train_bits, train_accuracy, validation_bits, validation_accuracy
    snapshots: dict[int, dict]  # step → the model's weights then (the checkpoints' weights)


def generator_of(device: torch.device, *identity) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(derive_seed(*identity))


def train_char_model(train_ids: Tensor, validation_ids: Tensor, characters: int, variant: str,
                     replicate: int, section: dict, seed: int, device: torch.device,
                     dtype: torch.dtype, checkpoint: Checkpoint | None = None) -> Trained:
    """Train one model of `variant` for section['steps'] steps; replicate r of every variant
    starts from the same weights and reads the same windows (so variants pair by replicate);
    only the dropout masks are the variant's own. Evaluated on the validation part at step 0,
    every section['evaluate_every'] steps and at the end; its weights are kept at
    section['snapshots'] evenly spaced steps. With `checkpoint`, the state is saved at every
    snapshot and whenever the checkpoint is due at an evaluation (its `every_epochs`
    counts steps here), and a saved state is resumed from."""
    length, batch = section["sequence_length"], section["batch_size"]
    model = CharLSTM(characters, section["hidden"], section["layers"], variant,
                     section["dropout"] if variant != "none" else 0.0)
    model.init_weights(torch.Generator().manual_seed(derive_seed(seed, "e17-init", replicate)))
    model.to(device, dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=section["lr"])
    train_ids, validation_ids = train_ids.to(device), validation_ids.to(device)
    keep_at = set(snapshot_steps(section["steps"], section["snapshots"]))
    state = checkpoint.load() if checkpoint else None
    if state is None:
        state = {"step": 0, "rows": [], "since": 0, "bits": 0.0, "correct": 0,
                 "snapshots": {}}
        state["rows"].append(_row(0, None, None, *score(model, validation_ids, length)))
    else:
        model.load_state_dict(state.pop("model"))
        optimizer.load_state_dict(state.pop("optimizer"))
    last_window = len(train_ids) - length - 1
    for step in range(state["step"] + 1, section["steps"] + 1):
        starts = torch.randint(0, last_window + 1, (batch,),
                               generator=generator_of(device, seed, "e17-windows", replicate,
                                                      step), device=device)
        text = windows(train_ids, starts, length + 1)
        masks = (generator_of(device, seed, "e17-dropout", variant, replicate, step)
                 if variant != "none" else None)
        loss, correct = train_step(model, optimizer, text, masks, section["clip_norm"])
        state["bits"] += float(loss) / LN2
        state["correct"] += int(correct)
        state["since"] += 1
        state["step"] = step
        evaluated = step % section["evaluate_every"] == 0 or step == section["steps"]
        if evaluated:
            since = state["since"]
            state["rows"].append(_row(step, state["bits"] / since,
                                      state["correct"] / (since * batch * length),
                                      *score(model, validation_ids, length)))
            state.update(since=0, bits=0.0, correct=0)
        if step in keep_at:
            state["snapshots"][step] = {k: v.detach().cpu().clone()
                                        for k, v in model.state_dict().items()}
        if checkpoint and (step in keep_at or (evaluated and checkpoint.due(step))):
            if step < section["steps"]:
                checkpoint.save({**state, "model": model.state_dict(),
                                 "optimizer": optimizer.state_dict()}, step)
    return Trained(model, pd.DataFrame(state["rows"]), state["snapshots"])


def _row(step, train_bits, train_accuracy, validation_bits, validation_accuracy) -> dict:
    return {"step": step, "train_bits": train_bits, "train_accuracy": train_accuracy,
            "validation_bits": validation_bits, "validation_accuracy": validation_accuracy}


# -- samples ------------------------------------------------------------------------------

def texts(ids: Tensor, alphabet: str) -> list[str]:
    """[T, B] ids → B strings."""
    return ["".join(alphabet[i] for i in column) for column in ids.t().tolist()]


def sample_rows(trained: Trained, alphabet: str, source, variant: str, replicate: int,
                section: dict, seed: int, device: torch.device) -> pd.DataFrame:
    """Every sample of one trained model, one row each (kind, step, temperature, sample,
    prompt, text, log2_prob, scorer, entropy):

    - `snapshot`: at each snapshot step, from the weights then, one sample per temperature
      (0 = greedy) of section['sample_length'] characters, all from the same random first
      character (seed 003: "a random character as starting seed"), as seed 003 Table 2;
    - `prefix`: the final model completing section['prefix'] with
      section['completion_length'] characters, at each temperature;
    - `measured`: the final model, section['measured_samples'] samples of
      section['measured_length'] characters per temperature, each from a random first
      character, scored: log2_prob is the generated characters' mean log2-probability under
      the true source (`source`, given every character before it) or, for a text file
      (source None), under the model itself at T = 1; entropy the mean entropy (bits) of
      the distributions they were drawn from.
    `text` is the whole sample, prompt included."""
    identity = (seed, "e17-samples", variant, replicate)
    index = {ch: i for i, ch in enumerate(alphabet)}
    temperatures = [0.0, *map(float, section["temperatures"])]
    rows = []
    model = CharLSTM(len(alphabet), section["hidden"], section["layers"])
    model.to(device, trained.model.readout.weight.dtype)
    for k, (step, weights) in enumerate(sorted(trained.snapshots.items())):
        model.load_state_dict(weights)
        first = torch.randint(0, len(alphabet), (1, 1), device=device,
                              generator=generator_of(device, *identity, "snapshot-start", k))
        for t in temperatures:
            out = generate(model, first, section["sample_length"] - 1, t,
                           generator_of(device, *identity, "snapshot", k))
            prompt = alphabet[int(first)]
            rows.append({"kind": "snapshot", "step": step, "temperature": t, "sample": 0,
                         "prompt": prompt, "text": prompt + texts(out.ids, alphabet)[0]})
    final = trained.model
    steps = section["steps"]
    prefix = torch.tensor([[index[ch]] for ch in section["prefix"]], device=device)
    for t in temperatures:
        out = generate(final, prefix, section["completion_length"], t,
                       generator_of(device, *identity, "prefix"))
        rows.append({"kind": "prefix", "step": steps, "temperature": t, "sample": 0,
                     "prompt": section["prefix"],
                     "text": section["prefix"] + texts(out.ids, alphabet)[0]})
    count = section["measured_samples"]
    first = torch.randint(0, len(alphabet), (1, count), device=device,
                          generator=generator_of(device, *identity, "measured-start"))
    for t in temperatures:
        out = generate(final, first, section["measured_length"] - 1, t,
                       generator_of(device, *identity, "measured"))
        samples = [alphabet[int(f)] + s for f, s in zip(first[0], texts(out.ids, alphabet),
                                                       strict=True)]
        if source is not None:
            log2p = [float(np.mean(source.log2_prob(s)[1:])) for s in samples]
        else:
            log2p = out.model_log2p.mean(0).tolist()
        entropy = out.entropy.mean(0).tolist()
        for i, s in enumerate(samples):
            rows.append({"kind": "measured", "step": steps, "temperature": t, "sample": i,
                         "prompt": s[0], "text": s, "log2_prob": log2p[i],
                         "scorer": "source" if source is not None else "model",
                         "entropy": entropy[i]})
    return pd.DataFrame(rows)


def final_bits(curves: pd.DataFrame) -> pd.DataFrame:
    """Per model (variant, replicate) of a curves table: its last evaluation."""
    last = curves.sort_values("step").groupby(["variant", "replicate"], sort=False).tail(1)
    return last.sort_values(["variant", "replicate"]).reset_index(drop=True)
