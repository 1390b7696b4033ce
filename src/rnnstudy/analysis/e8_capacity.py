"""E8: how many bits a recurrent network stores in its parameters (Collins et al. 2017 §2.1).

A member memorizes b random binary labels of b distinct random binary inputs x ∈ {0,1}^n_in;
x enters at the first step, the label is read out (one logit, cross-entropy) after `unroll`
steps; training set = evaluation set. Its figure of merit is the mutual information between
labels and predictions, I = b·(1 − H2(p)) bits (p = fraction right), maximized over b and
the other hyperparameters, which a random search draws: the same draws for every
architecture, depth and budget, so each point gets the same search.
"""
import math

import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor

from ..models.stacked import PopulationRNN, Shape
from ..seeding import derive_seed
from ..training.steps import train_steps

# Minibatch indices are drawn this many steps at a time.
BLOCK = 256
# Evaluation works on chunks of samples so that [T, P, chunk, G·H] stays near this size.
EVAL_ELEMENTS = 1 << 22



def at_first_step(x: Tensor, unroll: int) -> Tensor:
    """x [P, B, n_in] at the first of `unroll` steps, zeros after: [T, P, B, n_in]."""
    out = x.new_zeros(unroll, *x.shape)
    out[0] = x
    return out


def binary_loss(outputs: Tensor, target: Tensor) -> Tensor:
    """Each member's mean cross-entropy of its one logit against 0/1 labels: [P]."""
    return F.binary_cross_entropy_with_logits(outputs[..., 0], target,
                                              reduction="none").mean(1)

def binary_entropy(p: Tensor) -> Tensor:
    """H2(p) in bits, with H2(0) = H2(1) = 0."""
    p = p.to(torch.float64)
    q = 1 - p
    return -(torch.xlogy(p, p) + torch.xlogy(q, q)) / math.log(2)


def mutual_information(samples: Tensor, accuracy: Tensor) -> Tensor:
    """I(y; ŷ) = b·(1 − H2(p)) bits for b balanced random labels predicted right with
    frequency p (a binary symmetric channel)."""
    return samples.to(torch.float64) * (1 - binary_entropy(accuracy))


def search_settings(seed: int, evaluations: int, space: dict) -> pd.DataFrame:
    """The random search's settings, one row per evaluation: each value log-uniform (lr,
    scale, samples_per_param) or uniform (gate_bias) in its configured [low, high], from a
    generator of (seed, evaluation index) only, so every point draws the same settings."""
    rows = []
    for k in range(evaluations):
        g = torch.Generator().manual_seed(derive_seed(seed, "e8-search", k))
        row = {"setting": k}
        for name in ("samples_per_param", "lr", "scale", "gate_bias"):
            low, high = space[name]
            u = float(torch.rand((), generator=g, dtype=torch.float64))
            row[name] = (low + u * (high - low) if name == "gate_bias"
                         else math.exp(math.log(low) + u * (math.log(high) - math.log(low))))
        rows.append(row)
    return pd.DataFrame(rows)


def capacity_data(seed: int, replicate: int, samples: int, input_dim: int) -> tuple[Tensor, Tensor]:
    """(x [samples, input_dim] of distinct binary vectors, labels [samples]) of one data
    replicate; a smaller b uses the first b rows, so every b of a replicate is nested."""
    if samples > 2 ** input_dim:
        raise ValueError(f"{samples} distinct inputs do not exist in {{0,1}}^{input_dim}")
    g = torch.Generator().manual_seed(derive_seed(seed, "e8-data", input_dim, replicate))
    if input_dim <= 20:
        codes = torch.randperm(2 ** input_dim, generator=g)[:samples]
    else:
        codes = torch.unique(torch.randint(0, 2 ** input_dim, (2 * samples + 64,), generator=g))
        codes = codes[torch.randperm(len(codes), generator=g)][:samples]
    bits = (codes.unsqueeze(1) >> torch.arange(input_dim)) & 1
    labels = torch.randint(0, 2, (samples,), generator=g)
    return bits.to(torch.float32), labels.to(torch.float32)


def train_point(cell: str, layers: int, budget: int, hidden: int, settings: pd.DataFrame,
                replicates: int, section: dict, seed: int, device: torch.device,
                dtype: torch.dtype) -> pd.DataFrame:
    """Train every setting × replicate of one architecture, depth and budget as one
    population: one row per member per evaluation (its setting, b, training loss since the
    last evaluation, accuracy on its b samples and bits I)."""
    shape = Shape(cell, section["input_dim"], hidden, layers, 1)
    model = PopulationRNN(shape)
    members = [(int(s.setting), r) for s in settings.itertuples() for r in range(replicates)]
    by_setting = settings.set_index("setting")
    samples = torch.tensor([max(1, round(by_setting.samples_per_param[k] * model.n_params))
                            for k, _ in members])
    most = int(samples.max())
    data = [capacity_data(seed, r, most, shape.input_dim) for r in range(replicates)]
    x_all = torch.stack([x for x, _ in data]).to(device, dtype)  # [R, b_max, n_in]
    y_all = torch.stack([y for _, y in data]).to(device, dtype)
    replicate = torch.tensor([r for _, r in members], device=device)

    def identity(k, r):
        return (seed, "e8", cell, layers, budget, k, r)

    params = torch.stack([
        model.draw(torch.Generator().manual_seed(derive_seed(*identity(k, r), "init")),
                   by_setting.scale[k], by_setting.gate_bias[k], dtype) for k, r in members])
    params = params.to(device)
    lr = torch.tensor([by_setting.lr[k] for k, _ in members], dtype=torch.float64,
                      device=device)
    steps, batch_size, unroll = section["steps"], section["batch_size"], section["unroll"]
    # Each member's minibatches: indices into its own b samples, from its own generator,
    # drawn a block of steps at a time (a Collins-size run has 10^5 steps).
    streams = [torch.Generator().manual_seed(derive_seed(*identity(k, r), "batches"))
               for k, r in members]
    block = {"start": 1, "index": None}

    def indices(step: int) -> Tensor:
        if block["index"] is None or step - block["start"] >= BLOCK:
            block["start"] = step
            block["index"] = torch.stack([
                torch.randint(0, int(samples[m]), (BLOCK, batch_size), generator=stream)
                for m, stream in enumerate(streams)]).to(device)  # [P, BLOCK, B]
        return block["index"][:, step - block["start"]]

    n_members = len(members)

    def sequence(x: Tensor) -> Tensor:
        return at_first_step(x, unroll)

    def batch(step: int):
        idx = indices(step)
        return sequence(x_all[replicate.unsqueeze(1), idx]), y_all[replicate.unsqueeze(1), idx]

    loss = binary_loss
    samples_d = samples.to(device)
    records = []

    def evaluate(step: int, params: Tensor) -> None:
        w = model.unflatten(params)
        correct = torch.zeros(n_members, dtype=torch.float64, device=device)
        chunk = max(1, EVAL_ELEMENTS // (n_members * unroll * 4 * hidden * layers))
        for start in range(0, most, chunk):
            idx = torch.arange(start, min(most, start + chunk), device=device)
            x = x_all[replicate.unsqueeze(1), idx.unsqueeze(0)]
            y = y_all[replicate.unsqueeze(1), idx.unsqueeze(0)]
            predicted = (model.outputs(w, sequence(x))[..., 0] > 0).to(dtype)
            inside = idx.unsqueeze(0) < samples_d.unsqueeze(1)
            correct += ((predicted == y) & inside).sum(1).to(torch.float64)
        accuracy = correct / samples_d
        records.append(pd.DataFrame({
            "member": range(n_members), "step": step,
            "accuracy": accuracy.cpu().numpy(),
            "bits": mutual_information(samples_d, accuracy).cpu().numpy()}))

    result = train_steps(model, params, lr, steps, batch, loss, section["evaluate_every"],
                         evaluate)
    curve = result.curve.merge(pd.concat(records, ignore_index=True), on=["member", "step"])
    member = curve.pop("member").to_numpy()
    settings_of = settings.set_index("setting")
    setting = [members[m][0] for m in member]
    head = pd.DataFrame({
        "model": cell, "layers": layers, "budget": budget, "hidden_dim": hidden,
        "parameters": model.n_params, "setting": setting,
        "replicate": [members[m][1] for m in member],
        "samples_per_param": settings_of.samples_per_param[setting].to_numpy(),
        "samples": samples.numpy()[member],
        "lr": settings_of.lr[setting].to_numpy(), "scale": settings_of.scale[setting].to_numpy(),
        "gate_bias": settings_of.gate_bias[setting].to_numpy()})
    curve = pd.concat([head, curve.reset_index(drop=True)], axis=1)
    curve["diverged"] = (result.diverged_at > 0).cpu().numpy()[member]
    return curve


POINT = ["model", "layers", "budget", "hidden_dim", "parameters"]


def member_best(curves: pd.DataFrame) -> pd.DataFrame:
    """Each member (point × setting × replicate) at its evaluation with the most bits."""
    keys = POINT + ["setting", "replicate"]
    return curves.loc[curves.groupby(keys)["bits"].idxmax()].reset_index(drop=True)


def setting_scores(curves: pd.DataFrame) -> pd.DataFrame:
    """Per point and setting: mean, min and max over replicates of the members' best bits."""
    best = member_best(curves)
    return (best.groupby(POINT + ["setting"], as_index=False)
            .agg(bits=("bits", "mean"), bits_low=("bits", "min"), bits_high=("bits", "max"),
                 accuracy=("accuracy", "mean"), samples=("samples", "first"),
                 samples_per_param=("samples_per_param", "first"), lr=("lr", "first"),
                 scale=("scale", "first"), gate_bias=("gate_bias", "first"),
                 replicates=("replicate", "count"), diverged=("diverged", "sum")))


def points(curves: pd.DataFrame) -> pd.DataFrame:
    """Per architecture, depth and budget: the setting with the most bits (mean over its
    replicates), with its replicates' range, and bits per parameter."""
    scores = setting_scores(curves)
    best = scores.loc[scores.groupby(POINT)["bits"].idxmax()].reset_index(drop=True)
    best["evaluations"] = scores.groupby(POINT)["setting"].count().to_numpy()
    for column in ("bits", "bits_low", "bits_high"):
        best[column.replace("bits", "bits_per_param")] = best[column] / best["parameters"]
    return best.rename(columns={"setting": "best_setting"})


def search_progress(curves: pd.DataFrame) -> pd.DataFrame:
    """Per point: the best setting's bits among the first k settings drawn, k = 1 … E (the
    search's convergence: a curve still rising at E says more evaluations would help)."""
    scores = setting_scores(curves).sort_values(POINT + ["setting"])
    scores["evaluations"] = scores.groupby(POINT).cumcount() + 1
    scores["best_bits"] = scores.groupby(POINT)["bits"].cummax()
    scores["best_bits_per_param"] = scores["best_bits"] / scores["parameters"]
    return scores[POINT + ["evaluations", "best_bits", "best_bits_per_param"]].reset_index(
        drop=True)
