"""What several test modules need, written once: torch.nn references of the population
models, populations to test, a loss, a Markov corpus on disk, the benchmark's module, and
the verdicts of a claims result. (conftest.py has the fixtures and the Snakemake runs.)"""
import importlib.util
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from rnnstudy.config import validate_config
from rnnstudy.data.corpus import build_corpus, write_corpus
from rnnstudy.data.text_file import corpus_settings
from rnnstudy.models.shapes import Shape
from rnnstudy.models.stacked import PopulationRNN

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
SEEDS = (11, 22, 33, 44)  # a population's members, one per seed
VOCAB = 10  # words of a classifier's vocabulary
CPU = torch.device("cpu")
# A run's provenance, as the runner gives it to a job function called without Snakemake.
RUN = {"git_commit": "test", "git_dirty": False, "config_hash": "0", "python": "3",
       "torch": "2", "snakemake": "9"}


# -- torch.nn references ---------------------------------------------------------------------

def torch_rnn(cell: str, input_dim: int, hidden: int, layers: int = 1,
              batch_first: bool = False) -> nn.Module:
    """torch.nn's module for one of our cells (the IRNN is a ReLU RNN with another init)."""
    if cell in ("rnn", "rnn_relu", "irnn"):
        return nn.RNN(input_dim, hidden, layers, batch_first=batch_first,
                      nonlinearity="tanh" if cell == "rnn" else "relu")
    if cell not in ("gru", "lstm"):
        raise ValueError(f"torch.nn has no {cell} cell")
    return (nn.GRU if cell == "gru" else nn.LSTM)(input_dim, hidden, layers,
                                                  batch_first=batch_first)


def classifier_reference(classifier, w, p) -> tuple[nn.Module, nn.Linear]:
    """torch.nn modules (batch first) holding member p of a PopulationClassifier, whose
    views are `w` (classifier.unflatten), on w's device."""
    like = {"dtype": w["w_ih"].dtype, "device": w["w_ih"].device}
    rnn = torch_rnn(classifier.model, classifier.input_dim, classifier.hidden_dim,
                    batch_first=True).to(**like)
    linear = nn.Linear(classifier.hidden_dim, classifier.classes).to(**like)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(w["w_ih"][p].T)
        rnn.weight_hh_l0.copy_(w["w_hh"][p].T)
        rnn.bias_ih_l0.copy_(w["b_ih"][p].reshape(-1))
        rnn.bias_hh_l0.copy_(w["b_hh"][p].reshape(-1))
        linear.weight.copy_(w["w_out"][p].T)
        linear.bias.copy_(w["b_out"][p].reshape(-1))
    return rnn, linear


def classifier_reference_gradients(classifier, w, p, tokens, labels):
    """Member p's logits and the gradients of its summed cross-entropy, through torch.nn
    modules holding its weights (tokens [B, T], labels [B]), in the population's layout
    (w_ih [in, G*H], biases [1, G*H], ...)."""
    rnn, linear = classifier_reference(classifier, w, p)
    embedding = nn.Embedding.from_pretrained(w["embedding"][p].clone(), freeze=False)
    states, _ = rnn(embedding(tokens))
    logits = linear(states[:, -1])
    F.cross_entropy(logits, labels, reduction="sum").backward()
    return logits.detach(), {
        "embedding": embedding.weight.grad,
        "w_ih": rnn.weight_ih_l0.grad.T, "w_hh": rnn.weight_hh_l0.grad.T,
        "b_ih": rnn.bias_ih_l0.grad[None], "b_hh": rnn.bias_hh_l0.grad[None],
        "w_out": linear.weight.grad.T, "b_out": linear.bias.grad[None]}


def check_against_torch(classifier, params, fixed, tokens, atol=1e-5):
    """Compare every hidden state and the logits of every member with torch.nn."""
    members = params.shape[0]
    w = classifier.unflatten(params, fixed)
    with torch.no_grad():
        states = torch.stack(classifier.hidden_states(params, fixed, tokens), 2)  # [P, B, T, H]
        logits = classifier.logits(params, fixed, tokens)
    batch, steps = tokens.shape[-2:]
    assert states.shape == (members, batch, steps, classifier.hidden_dim)
    assert logits.shape == (members, batch, classifier.classes)
    for p in range(members):
        member_tokens = tokens if tokens.dim() == 2 else tokens[p]
        rnn, linear = classifier_reference(classifier, w, p)
        with torch.no_grad():
            want_states, _ = rnn(w["embedding"][p][member_tokens])
            want_logits = linear(want_states[:, -1])
        torch.testing.assert_close(states[p], want_states, atol=atol, rtol=0)
        torch.testing.assert_close(logits[p], want_logits, atol=atol, rtol=0)


def check_gradients_against_torch(classifier, params, fixed, tokens, labels):
    """The trainer's gradient (`logits_of` + `flat_grad`) of the members' summed
    cross-entropy equals, member by member and parameter by parameter, torch.nn's.

    tokens [B, T] with labels [B], or [P, B, T] with [P, B]. Tolerance: 1e-10 relative to
    the largest entry of each gradient, not to each entry, since a saturated unit's
    derivative 1 - y² is itself only known to within an ulp of y (both here and in torch.nn).
    """
    members = params.shape[0]
    x = params.clone().requires_grad_(True)
    views = classifier.unflatten(x, fixed)
    target = labels.expand(members, -1) if labels.dim() == 1 else labels
    loss = F.cross_entropy(classifier.logits_of(views, tokens).transpose(1, 2), target,
                           reduction="sum")
    grad = classifier.flat_grad(loss, views)
    # Differentiating `logits` with respect to the flat tensor gives the same gradient.
    loss = F.cross_entropy(classifier.logits(x, fixed, tokens).transpose(1, 2), target,
                           reduction="sum")
    (direct,) = torch.autograd.grad(loss, x)
    torch.testing.assert_close(grad, direct, atol=0, rtol=0)
    got = classifier.unflatten(grad, fixed)
    w = classifier.unflatten(params, fixed)
    for p in range(members):
        member_tokens = tokens if tokens.dim() == 2 else tokens[p]
        _, want = classifier_reference_gradients(classifier, w, p, member_tokens, target[p])
        for param in classifier.trainable:
            expected = want[param.name]
            scale = expected.abs().max().item()
            assert scale > 0, (p, param.name)  # else the comparison would be vacuous
            torch.testing.assert_close(got[param.name][p], expected, rtol=1e-10,
                                       atol=1e-10 * scale, msg=lambda m: f"{p} {param.name}: {m}")


def stacked_reference(model, w, p) -> tuple[nn.Module, nn.Linear]:
    """torch.nn modules (time first) holding member p of a PopulationRNN, whose views are
    `w` (model.unflatten); our one bias per layer is torch.nn's bias_ih, its bias_hh 0."""
    s = model.shape
    dtype = w["w_out"].dtype
    rnn = torch_rnn(s.cell, s.input_dim, s.hidden_dim, s.layers).to(dtype)
    linear = nn.Linear(s.hidden_dim, s.outputs).to(dtype)
    with torch.no_grad():
        for layer in range(s.layers):
            getattr(rnn, f"weight_ih_l{layer}").copy_(w[f"w_ih{layer + 1}"][p].T)
            getattr(rnn, f"weight_hh_l{layer}").copy_(w[f"w_hh{layer + 1}"][p].T)
            getattr(rnn, f"bias_ih_l{layer}").copy_(w[f"b{layer + 1}"][p, 0])
            getattr(rnn, f"bias_hh_l{layer}").zero_()
        linear.weight.copy_(w["w_out"][p].T)
        linear.bias.copy_(w["b_out"][p, 0])
    return rnn, linear


# -- populations -----------------------------------------------------------------------------

def population(cell: str, input_dim: int, hidden: int, layers: int = 1, outputs: int = 2,
               seeds=SEEDS, dtype=torch.float64, noise: float = 0.0):
    """A PopulationRNN and its members' parameters [P, N] as `draw` makes them, one member
    per seed; `noise` adds N(0, noise²) (seeded by the seeds) so that no bias is 0 and an
    IRNN's recurrent matrix is not the identity, and a comparison covers them."""
    model = PopulationRNN(Shape(cell, input_dim, hidden, layers, outputs))
    params = torch.stack([model.draw(torch.Generator().manual_seed(s), 1.0, 1.0, dtype)
                          for s in seeds])
    if noise:
        g = torch.Generator().manual_seed(sum(seeds))
        params += noise * torch.randn(params.shape, generator=g,
                                      dtype=torch.float64).to(dtype)
    return model, params


def member_input(x, p):
    """Member p's inputs [T, B, n_in] of x [T, P, B, n_in], or of x [T, 1, B, n_in] shared."""
    return x[:, p if x.shape[1] > 1 else 0]


def task_batches(model, members: int, steps: int, batch: int = 7, seed: int = 7,
                 dtype=torch.float64):
    """Every member's own batches of sequences of 4 steps: x [steps, 4, P, B, n_in],
    y [steps, P, B, n_out]; y is x's first step (readable), so training moves somewhere."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(steps, 4, members, batch, model.shape.input_dim, generator=g,
                    dtype=torch.float64)
    y = x[:, 0, ..., :model.shape.outputs].clone()
    return x.to(dtype), y.to(dtype)


def rows_of(x, y, rows):
    """train_steps' batch(step) for members `rows` of the batches (x, y)."""
    index = torch.tensor(rows)
    return lambda step: (x[step - 1][:, index], y[step - 1][index])


def mse(outputs, target):
    """Each member's mean squared error, [P], of outputs and targets [P, B, n_out]."""
    return ((outputs - target) ** 2).mean((1, 2))


# -- files and modules -----------------------------------------------------------------------

def markov_corpus(directory: Path, sizes: dict, seed: int = 2020, **markov) -> Path:
    """A generated character corpus (corpus.txt, corpus.json) in `directory`, with the
    config's defaults for every Markov setting not given; returns corpus.json's path."""
    config = validate_config({"seed": seed, "corpus": {**sizes, "markov": markov}}, SCHEMA)
    text, description = build_corpus(corpus_settings(config))
    path = Path(directory) / "corpus.json"
    write_corpus(path.with_suffix(".txt"), path, text, description)
    return path


def speed_module():
    """benchmarks/speed.py, imported (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("speed", ROOT / "benchmarks" / "speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def judged(result: dict) -> list[str]:
    """The verdicts of a claims module's result, in its claims' order."""
    return [claim["verdict"] for claim in result["claims"]]
