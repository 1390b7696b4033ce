"""E12: character models with a readout at every step against torch.nn (forward and
gradient), evaluation windows that score every character once, known answers of bits per
character, a small model that learns the Markov source, the point table, the verdicts on
hand-made tables, and the config's refusals."""
import copy
import math

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
import yaml
from snakemake.utils import update_config

from rnnstudy import grid
from rnnstudy.analysis.e12_char_models import (
    best_points,
    bits_per_char,
    evaluation_windows,
    train_char_models,
)
from rnnstudy.claims.e12_char_models import char_models
from rnnstudy.claims.verdict import HELD, NOT_HELD, PARTLY, UNTESTABLE
from rnnstudy.config import ConfigError, validate_config
from rnnstudy.data.corpus import read_corpus
from rnnstudy.jobs.e12_char_models import sized
from rnnstudy.models.charlm import BITS_PER_NAT, CharLM, next_char_loss

from helpers import CPU, ROOT, SCHEMA, markov_corpus, stacked_reference

CORPUS_SIZES = {"train": 30000, "validation": 3000, "test": 3000}


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_every_step_readout_and_its_gradient_equal_torch_nn(cell, layers):
    """Logits at every step and the gradient of the next-character loss, member by member,
    equal nn.RNN/GRU/LSTM + nn.Linear on one-hot inputs holding the same parameters."""
    alphabet, steps, batch = 7, 6, 5
    model = CharLM(cell, alphabet, 4, layers)
    g = torch.Generator().manual_seed(3)
    params = torch.stack([model.draw(g, 1.0, 0.5, torch.float64) for _ in range(3)])
    params += 0.3 * torch.randn(params.shape, generator=g, dtype=torch.float64)
    ids = torch.randint(0, alphabet, (steps + 1, 3, batch), generator=g)  # per member
    params.requires_grad_(True)
    w = model.unflatten(params)
    logits = model.outputs(w, ids[:-1])  # [P, T·B, V]
    loss = next_char_loss(logits, ids[1:])
    grad = model.flat_grad(loss.sum(), w)
    grads = model.unflatten(grad)
    for p in range(3):
        rnn, linear = stacked_reference(model, w, p)
        x = F.one_hot(ids[:-1, p], alphabet).double()  # [T, B, V]
        expected = linear(rnn(x)[0])  # [T, B, V]
        torch.testing.assert_close(logits[p].view(steps, batch, alphabet), expected,
                                   rtol=1e-10, atol=1e-10)
        reference_loss = F.cross_entropy(expected.reshape(-1, alphabet), ids[1:, p].reshape(-1))
        torch.testing.assert_close(loss[p], reference_loss, rtol=1e-10, atol=1e-12)
        reference_loss.backward()
        for layer in range(layers):
            torch.testing.assert_close(grads[f"w_ih{layer + 1}"][p],
                                       getattr(rnn, f"weight_ih_l{layer}").grad.T)
            torch.testing.assert_close(grads[f"w_hh{layer + 1}"][p],
                                       getattr(rnn, f"weight_hh_l{layer}").grad.T)
            torch.testing.assert_close(grads[f"b{layer + 1}"][p, 0],
                                       getattr(rnn, f"bias_ih_l{layer}").grad)
        torch.testing.assert_close(grads["w_out"][p], linear.weight.grad.T)
        torch.testing.assert_close(grads["b_out"][p, 0], linear.bias.grad)


def test_evaluation_windows_score_every_character_of_the_part_once():
    text = torch.arange(200)  # ids = positions: a target is its input + 1
    for start, stop, window, context in ((30, 77, 10, 3), (50, 51, 8, 8), (40, 96, 6, 1),
                                         (12, 60, 12, 12), (190, 200, 20, 4), (30, 60, 5, 2)):
        ev = evaluation_windows(text, start, stop, window, context)
        assert ev.inputs.shape[0] == window  # never longer than a training window
        assert torch.equal(ev.targets, ev.inputs + 1)  # contiguous text
        scored = ev.targets[ev.scored.bool()]
        assert sorted(scored.tolist()) == list(range(start, stop))  # each exactly once
        j = torch.arange(window)[:, None, None].expand_as(ev.scored)
        assert (j[ev.scored.bool()] + 1 >= context).all()  # ≥ context characters read
        assert int(ev.inputs.max()) < stop  # nothing read beyond the part
    with pytest.raises(ValueError, match="fewer than 4 characters before it"):
        evaluation_windows(text, 3, 50, 10, 4)
    with pytest.raises(ValueError, match="fewer than 4 characters before it"):
        evaluation_windows(text, 6, 10, 10, 4)  # the window ending at 10 would start at -1


def test_a_model_that_predicts_nothing_costs_log2_of_the_alphabet():
    model = CharLM("gru", 11, 3, 2)
    params = torch.zeros(2, model.n_params)  # every logit 0: the uniform distribution
    ev = evaluation_windows(torch.randint(0, 11, (300,)), 20, 300, 16, 4)
    torch.testing.assert_close(bits_per_char(model, params, ev),
                               torch.full((2,), math.log2(11), dtype=torch.float64))


SECTION = {"window": 12, "context": 3, "steps": 200, "batch_size": 32, "evaluate_every": 100,
           "learning_rates": [3e-2], "replicates": 2, "scale": 1.0, "gate_bias": 1.0,
           "clip_norm": 5.0}


def test_a_small_model_learns_the_markov_source(tmp_path):
    """Order 2 over 8 characters with 2 favourites per context: a GRU of ~700 parameters gets
    well below log2(8) = 3 bits towards the floor, never below what the true source scores."""
    corpus = read_corpus(markov_corpus(tmp_path, CORPUS_SIZES, alphabet="etaoins ", order=2,
                                       favourites=2, escape=0.05))
    assert corpus.entropy_rate < 1.5
    curve = train_char_models(corpus, "gru", 1, 1000, 10, SECTION, 7, CPU, torch.float32)
    chosen = curve[curve["selected"]]
    assert len(chosen) == 2 and curve["test_bits"].notna().sum() == 2  # one model per member
    assert (curve.loc[curve["step"] == 0, "validation_bits"] > 2.8).all()  # about uniform
    assert (chosen["test_bits"] < 2.0).all()
    assert (chosen["test_bits"] > corpus.source_bits()["test"] - 0.05).all()
    assert not curve["diverged"].any()
    # seeded from the run's identity: the same run twice is the same; another root seed,
    # another run
    short = {**SECTION, "steps": 4, "evaluate_every": 2}
    run = train_char_models(corpus, "rnn", 2, 500, 3, short, 7, CPU, torch.float32)
    pd.testing.assert_frame_equal(
        run, train_char_models(corpus, "rnn", 2, 500, 3, short, 7, CPU, torch.float32))
    other = train_char_models(corpus, "rnn", 2, 500, 3, short, 8, CPU, torch.float32)
    assert (other["validation_bits"] != run["validation_bits"]).all()
    point = best_points(curve, corpus).iloc[0]
    assert point["test_bits"] == pytest.approx(chosen["test_bits"].mean())
    assert point["entropy_rate"] == corpus.entropy_rate


def test_best_points_pick_the_learning_rate_by_validation():
    rows = [{"model": "lstm", "layers": 1, "budget": 100, "hidden_dim": 2, "parameters": 90,
             "replicate": r, "lr": lr, "step": 10, "train_bits": 3.0, "validation_bits": v,
             "selected": True, "test_bits": t, "diverged": False}
            for lr, values in ((0.01, ((2.5, 2.6), (2.7, 2.8))), (0.03, ((2.4, 2.9), (2.9, 2.5))))
            for r, (v, t) in enumerate(values)]
    rows.append({**rows[0], "step": 0, "validation_bits": 1.0, "selected": False,
                 "test_bits": float("nan")})  # not selected: does not count
    corpus = type("C", (), {"entropy_rate": 1.5, "source_bits": lambda self: {"test": 1.49}})()
    point = best_points(pd.DataFrame(rows), corpus).iloc[0]
    assert point["best_lr"] == 0.01 and point["test_bits"] == pytest.approx(2.7)
    assert (point["test_bits_low"], point["test_bits_high"]) == (2.6, 2.8)
    assert point["source_test_bits"] == 1.49


def _points(bits: dict, budgets=(1000, 2000, 4000, 8000), layers=(1, 2)):
    return pd.DataFrame([{"model": m, "layers": d, "budget": b, "hidden_dim": 4,
                          "parameters": b - 7, "best_lr": 0.02, "validation_bits": e,
                          "test_bits": e, "test_bits_low": e - 0.01, "test_bits_high": e + 0.01,
                          "replicates": 2, "best_step": 800, "diverged": 0,
                          "entropy_rate": 1.9, "source_test_bits": 1.91}
                         for m, f in bits.items() for d in layers for b in budgets
                         for e in [f(d, b)]])


def test_e12_verdicts():
    criteria = {"alike_bits": 0.1}
    alike = {m: (lambda d, b, k=k: 2 + 1000 / b + k / 50) for k, m in
             enumerate(("rnn", "gru", "lstm"))}
    result = char_models(_points(alike), criteria, 0.05, 48)
    assert [c["verdict"] for c in result["claims"]] == [HELD, HELD]
    assert result["entropy_rate"] == 1.9 and result["best_gap_to_floor"] == pytest.approx(
        2 + 1000 / 8000 - 1.9)
    apart = {"rnn": lambda d, b: 2 + 1000 / b, "lstm": lambda d, b: 3.5}
    claims = char_models(_points(apart), criteria, 0.05, 32)["claims"]
    assert [c["verdict"] for c in claims] == [PARTLY, NOT_HELD]
    assert "lstm 3.500 − rnn 3.000 = 0.500" in claims[1]["measured"]
    few = char_models(_points(alike, budgets=(1000, 2000, 4000)), criteria, 0.05, 36)
    assert few["claims"][0]["verdict"] == UNTESTABLE  # 3 points: p ≥ 1/6
    one = char_models(_points({"gru": alike["gru"]}), criteria, 0.05, 8)
    assert one["claims"][1]["verdict"] == UNTESTABLE  # one architecture: nothing to compare


def test_the_config_refuses_what_e12_cannot_run():
    base = yaml.safe_load((ROOT / "config.yaml").read_text())

    def shards(**section):
        config = copy.deepcopy(base)
        update_config(config, {"experiments": {"e12_char_models": section}})
        return grid.shards_of(validate_config(config, SCHEMA), "e12_char_models")

    assert len(shards()) == 3 * 2 * 4
    with pytest.raises(ConfigError, match="context' \\(30\\) exceeds its window"):
        shards(context=30)
    with pytest.raises(ConfigError, match="below the generated source's order"):
        shards(context=1)
    with pytest.raises(ConfigError, match="150 parameters are too few for one unit of gru"):
        shards(budgets=[1000, 150])  # an RNN unit fits in 98, a GRU's needs 167
    # a URL's alphabet is known only once fetched: its shards are sized by the job
    assert sized({"cell": "rnn", "layers": 1, "budget": 1000}, 32) == 12
    with pytest.raises(ConfigError, match="150 parameters are too few for one unit of gru"):
        sized({"cell": "gru", "layers": 1, "budget": 150}, 32)


def test_bits_per_nat():
    assert BITS_PER_NAT * math.log(2) == pytest.approx(1.0)
    assert np.isclose(next_char_loss(torch.zeros(1, 4, 8), torch.zeros(2, 1, 2,
                                                                       dtype=torch.long)),
                      math.log(8)).all()
