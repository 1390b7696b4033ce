"""E17: temperature sampling, the recurrent-dropout cell against torch.nn, the measures, a
killed job resuming to identical tables, a model that learns, the prefix check, the
verdicts and the benchmark rows."""
import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats
from torch import nn

from rnnstudy.analysis.e17_char_generation import (
    CharLSTM,
    distinct_fraction,
    entropy_bits,
    keep_mask,
    recurrent_dropout_layer,
    sample_next,
    snapshot_steps,
    train_char_model,
)
from rnnstudy.claims.e17_char_generation import claims
from rnnstudy.config import ConfigError
from rnnstudy.data.corpus import read_corpus
from rnnstudy.errors import PipelineError
from rnnstudy.experiments import BY_ID
from rnnstudy.jobs import e17_char_generation as job
from rnnstudy.training.checkpoint import Checkpoint

from helpers import RUN, markov_corpus, speed_module

ALPHABET = "abcdef "
SECTION = {"layers": 2, "hidden": 8, "sequence_length": 12, "batch_size": 16, "lr": 1e-2,
           "clip_norm": 5.0, "steps": 24, "evaluate_every": 5, "snapshots": 3,
           "dropout": 0.3, "temperatures": [0.5, 1, 2], "sample_length": 10, "prefix": "abc ",
           "completion_length": 8, "measured_samples": 4, "measured_length": 16}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A small order-1 Markov corpus over 7 characters (entropy rate known)."""
    return markov_corpus(tmp_path_factory.mktemp("corpus"),
                         {"train": 6000, "validation": 1200, "test": 600}, seed=3,
                         alphabet=ALPHABET, order=1, favourites=2)


# -- sampling and measures ----------------------------------------------------------------

LOGITS = torch.tensor([1.0, 2.5, 0.3, -1.0, 2.0])


def test_sampling_follows_softmax_at_temperature_and_tends_to_greedy():
    rows = 40_000
    for t in (1.0, 2.0):
        g = torch.Generator().manual_seed(7)
        drawn = sample_next(LOGITS.expand(rows, -1), t, g)
        counts = np.bincount(drawn.numpy(), minlength=len(LOGITS))
        expected = torch.softmax(LOGITS.double() / t, -1).numpy() * rows
        assert stats.chisquare(counts, expected).pvalue > 1e-3, (t, counts, expected)
    greedy = sample_next(LOGITS.expand(100, -1), 0.0, torch.Generator().manual_seed(1))
    assert (greedy == int(LOGITS.argmax())).all()
    cold = sample_next(LOGITS.expand(2000, -1), 1e-3, torch.Generator().manual_seed(1))
    assert (cold == int(LOGITS.argmax())).all()



def test_every_temperature_draws_the_same_uniform_per_row():
    """One uniform per row whatever T, even T = 0 (the argmax): each draw is that uniform's
    inverse CDF under softmax(logits / T), and the generator moves on by the same draws, so
    samples at different temperatures differ only by the temperature."""
    rows = 500
    g = torch.Generator().manual_seed(3)
    u = torch.rand(rows, 1, generator=g, dtype=torch.float64)
    after = g.get_state()
    for t in (0.0, 0.5, 1.0, 2.0):
        g = torch.Generator().manual_seed(3)
        drawn = sample_next(LOGITS.expand(rows, -1), t, g)
        if t == 0:
            want = torch.full((rows,), int(LOGITS.argmax()))
        else:
            cdf = torch.softmax(LOGITS.double() / t, -1).cumsum(-1)
            want = (cdf <= u * cdf[-1]).sum(1)  # the first index whose CDF exceeds u
        assert torch.equal(drawn, want), t
        assert torch.equal(g.get_state(), after), t


def test_entropy_of_known_distributions():
    assert float(entropy_bits(torch.zeros(8), 1.0)) == pytest.approx(3.0)
    assert float(entropy_bits(torch.tensor([4.0, 4.0, -1e9]), 1.0)) == pytest.approx(1.0)
    assert float(entropy_bits(torch.tensor([30.0, 0.0, 0.0]), 1.0)) < 1e-9
    assert float(entropy_bits(LOGITS, 0.0)) == 0.0
    assert float(entropy_bits(LOGITS, 2.0)) == pytest.approx(float(entropy_bits(LOGITS / 2, 1.0)))
    p = torch.softmax(LOGITS.double(), -1)
    assert float(entropy_bits(LOGITS, 1.0)) == pytest.approx(float(-(p * p.log2()).sum()))


def test_distinct_ngrams_of_known_texts():
    assert distinct_fraction("abcabc", 3) == pytest.approx(3 / 4)  # abc bca cab abc
    assert distinct_fraction("aaaa", 2) == pytest.approx(1 / 3)
    assert distinct_fraction("abcd", 4) == 1.0
    assert distinct_fraction("the the the ", 4) == pytest.approx(4 / 9)
    assert math.isnan(distinct_fraction("ab", 3))


def test_keep_mask_drops_at_rate_p_and_keeps_the_mean():
    g = torch.Generator().manual_seed(0)
    mask = keep_mask((200_000,), 0.3, g, torch.zeros(1))
    assert mask.unique().tolist() == [0.0, pytest.approx(1 / 0.7)]
    assert float((mask == 0).float().mean()) == pytest.approx(0.3, abs=0.005)
    assert float(mask.mean()) == pytest.approx(1.0, abs=0.01)


# -- the models against torch.nn ------------------------------------------------------------

def test_recurrent_dropout_layer_without_dropout_equals_nn_lstm():
    """Forward and gradients (weights, input, initial state) equal nn.LSTM's."""
    torch.manual_seed(0)
    lstm = nn.LSTM(5, 6).double()
    x = torch.randn(7, 3, 5, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(1, 3, 6, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(1, 3, 6, dtype=torch.float64, requires_grad=True)
    weights = (h0, c0, x, *lstm.parameters())
    target = torch.randn(7, 3, 6, dtype=torch.float64)

    def grads(run):
        out, (h, c) = run()
        loss = (out * target).sum() + h.sum() * 0.5 + c.pow(2).sum()
        return (out, h, c), torch.autograd.grad(loss, weights)

    ours, ours_grad = grads(lambda: recurrent_dropout_layer(lstm, x, (h0, c0), 0.0, None))
    theirs, theirs_grad = grads(lambda: lstm(x, (h0, c0)))
    for a, b in zip(ours + ours_grad, theirs + theirs_grad, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_recurrent_dropout_masks_only_the_recurrent_input():
    """With p > 0 the loop is nn.LSTMCell fed h_{t−1} · mask_t (c_{t−1} and the outputs
    are not dropped), one fresh mask per step, drawn from the generator."""
    torch.manual_seed(1)
    lstm = nn.LSTM(4, 5).double()
    cell = nn.LSTMCell(4, 5).double()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).data.copy_(getattr(lstm, f"{name}_l0"))
    x = torch.randn(6, 3, 4, dtype=torch.float64)
    out, _ = recurrent_dropout_layer(lstm, x, None, 0.4, torch.Generator().manual_seed(9))
    masks = keep_mask((6, 3, 5), 0.4, torch.Generator().manual_seed(9), x)
    assert (masks == 0).any() and len({tuple(m.flatten().tolist()) for m in masks}) == 6
    h = c = torch.zeros(3, 5, dtype=torch.float64)
    for t in range(6):
        h, c = cell(x[t], (h * masks[t], c))
        torch.testing.assert_close(out[t], h, rtol=1e-10, atol=1e-12)


def test_the_stack_equals_a_two_layer_nn_lstm_and_every_variant_is_it_in_evaluation():
    model = CharLSTM(7, 6, 2, "recurrent", 0.5).double()
    model.init_weights(torch.Generator().manual_seed(2))
    reference = nn.LSTM(7, 6, num_layers=2).double()
    for layer, lstm in enumerate(model.lstms):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(reference, f"{name}_l{layer}").data.copy_(getattr(lstm, f"{name}_l0"))
    ids = torch.randint(0, 7, (9, 4), generator=torch.Generator().manual_seed(3))
    logits, _ = model(ids)
    states, _ = reference(nn.functional.one_hot(ids, 7).double())
    torch.testing.assert_close(logits, model.readout(states))
    for variant in ("between", "recurrent"):
        dropped = CharLSTM(7, 6, 2, variant, 0.5).double()
        dropped.load_state_dict(model.state_dict())
        train, _ = dropped(ids, masks=torch.Generator().manual_seed(4))
        assert not torch.allclose(train, logits)
        torch.testing.assert_close(dropped(ids)[0], logits)


def test_initial_weights_follow_torch_default_bound_and_pair_across_variants():
    a = CharLSTM(7, 16, 2, "none")
    b = CharLSTM(7, 16, 2, "recurrent", 0.5)
    a.init_weights(torch.Generator().manual_seed(5))
    b.init_weights(torch.Generator().manual_seed(5))
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q), name
        assert p.abs().max() <= 1 / 4 and p.abs().max() > 0.2, name


def test_snapshot_steps_are_evenly_spaced_and_end_at_the_last():
    assert snapshot_steps(30000, 6) == [5000, 10000, 15000, 20000, 25000, 30000]
    assert snapshot_steps(800, 4) == [200, 400, 600, 800]
    assert snapshot_steps(3, 5) == [1, 2, 3]


# -- learning -------------------------------------------------------------------------------

def test_a_small_model_learns_the_markov_source(corpus):
    data = read_corpus(corpus)
    section = {**SECTION, "hidden": 16, "steps": 150, "evaluate_every": 50, "lr": 2e-2}
    torch.manual_seed(0)
    trained = train_char_model(data.ids("train"), data.ids("validation"), len(ALPHABET),
                               "none", 0, section, 1, torch.device("cpu"), torch.float32)
    final = trained.curve.iloc[-1]
    uniform = math.log2(len(ALPHABET))
    counts = np.bincount(data.ids("train").numpy(), minlength=len(ALPHABET))
    p = counts / counts.sum()
    unigram = float(-(p[p > 0] * np.log2(p[p > 0])).sum())
    assert data.entropy_rate < unigram - 0.5  # the source's context matters
    # below the uniform rate and the unigram rate: it has learned context
    assert final["validation_bits"] < uniform - 0.5
    assert final["validation_bits"] < unigram - 0.25, (final, unigram, data.entropy_rate)
    assert final["validation_bits"] > data.source_bits()["validation"] - 0.05


# -- a killed job resumes to identical tables ---------------------------------------------

class Killed(Exception):
    pass


def run_job(corpus, out, variant, checkpointing=None):
    params = {"variant": variant, "replicate": 1, "section": SECTION, "seed": 4,
              "device": "cpu", "dtype": "float32"}
    job.char_model_shard(corpus=str(corpus), records=str(out), params=params, run=RUN,
                         checkpoint=checkpointing)
    return params


@pytest.mark.parametrize("variant", ["recurrent", "between"])
def test_a_killed_job_resumes_from_its_checkpoint_with_identical_tables(corpus, tmp_path,
                                                                       monkeypatch, variant):
    whole = tmp_path / "whole.csv"
    run_job(corpus, whole, variant)
    killed = tmp_path / "killed.csv"
    saved = []
    original = Checkpoint.save

    def save_then_die(self, state, epoch):
        original(self, state, epoch)
        saved.append(epoch)
        if len(saved) == 2:  # killed right after the second checkpoint
            raise Killed

    monkeypatch.setattr(Checkpoint, "save", save_then_die)
    with pytest.raises(Killed):
        run_job(corpus, killed, variant, {"epochs": 1, "minutes": 60})
    checkpoint = killed.with_suffix(".checkpoint.pt")
    assert checkpoint.exists() and not killed.exists()
    assert torch.load(checkpoint, weights_only=True)["step"] == saved[-1] < SECTION["steps"]
    monkeypatch.setattr(Checkpoint, "save", original)
    run_job(corpus, killed, variant, {"epochs": 1, "minutes": 60})
    assert not checkpoint.exists(), "a finished job must remove its checkpoint"
    assert killed.read_bytes() == whole.read_bytes()

    # and the tables job sorts the records into the three tables
    tables = {k: tmp_path / f"{k}.csv" for k in ("curves", "samples", "measures")}
    job.char_tables(shards=[str(whole)], corpus=str(corpus), params={},
                    **{k: str(v) for k, v in tables.items()})
    curves = pd.read_csv(tables["curves"])
    assert list(curves["step"]) == [0, 5, 10, 15, 20, 24]
    samples = pd.read_csv(tables["samples"])
    snapshots = samples[samples["kind"] == "snapshot"]
    assert sorted(snapshots["step"].unique()) == [8, 16, 24]
    assert len(snapshots) == 3 * 4  # greedy + 3 temperatures at each snapshot
    texts = snapshots["text"].map(json.loads)
    assert (texts.str.len() == SECTION["sample_length"]).all()
    assert all(set(t) <= set(ALPHABET) for t in texts)
    measures = pd.read_csv(tables["measures"])
    assert len(measures) == 4 * SECTION["measured_samples"]
    assert (measures["scorer"] == "source").all()
    assert (measures.loc[measures["temperature"] == 0, "entropy"] == 0).all()


def test_a_checkpoint_of_other_settings_is_not_used(corpus, tmp_path, caplog):
    out = tmp_path / "stale.csv"
    Checkpoint(out.with_suffix(".checkpoint.pt"), "not this job").save({"step": 3}, 3)
    run_job(corpus, out, "none", {"epochs": 1, "minutes": 60})
    assert "belongs to other inputs or settings" in caplog.text
    whole = tmp_path / "whole.csv"
    run_job(corpus, whole, "none")
    assert out.read_bytes() == whole.read_bytes()


# -- the prefix -----------------------------------------------------------------------------

def test_a_prefix_outside_the_alphabet_is_refused_at_config_load_and_at_job_start(corpus):
    config = {"corpus": {"source": "markov", "markov": {"alphabet": "abc "}},
              "experiments": {"e17_char_generation": {**SECTION, "prefix": "Abc!",
                                                      "variants": ["none"],
                                                      "replicates": 1}}}
    with pytest.raises(ConfigError, match=r"experiments.e17_char_generation.prefix.*'!A'"):
        BY_ID["e17_char_generation"].shards(config)
    config["experiments"]["e17_char_generation"]["prefix"] = "cab "
    assert len(BY_ID["e17_char_generation"].shards(config)) == 1
    with pytest.raises(PipelineError, match="not in the corpus's alphabet"):
        job.check_prefix("abz", read_corpus(corpus).alphabet)


def test_shards_pair_variants_by_replicate_and_leave_the_rate_out_without_dropout():
    section = {**SECTION, "variants": ["none", "between", "recurrent"], "replicates": 2}
    shards = dict(BY_ID["e17_char_generation"].shards({"experiments": {
        "e17_char_generation": section}}))
    assert list(shards) == ["none-r0", "none-r1", "between-r0", "between-r1", "recurrent-r0",
                            "recurrent-r1"]
    assert "dropout" not in shards["none-r0"]["section"]
    assert shards["between-r1"]["section"]["dropout"] == SECTION["dropout"]
    assert "replicates" not in shards["between-r1"]["section"]


# -- the verdicts ---------------------------------------------------------------------------

def synthetic_tables(replicates: int, between_gain: float, recurrent_cost: float):
    rng = np.random.default_rng(0)
    curves, measures, samples = [], [], []
    for variant, shift in (("none", 0.0), ("between", -between_gain),
                           ("recurrent", recurrent_cost)):
        for r in range(replicates):
            bits = 2.5 + 0.05 * r + shift + rng.normal(0, 0.001)
            for step in (0, 100):
                curves.append({"variant": variant, "replicate": r,
                               "dropout": 0.0 if variant == "none" else 0.25, "step": step,
                               "train_bits": None if step == 0 else bits,
                               "train_accuracy": None if step == 0 else 0.4,
                               "validation_bits": 5.0 if step == 0 else bits,
                               "validation_accuracy": 0.4, "entropy_rate": 1.9,
                               "source_bits": 1.91})
    for r in range(replicates):
        for i in range(6):
            for t in (0.0, 0.5, 1.0, 2.0):
                text = ("ab" * 20) if t == 0 else "".join(
                    rng.choice(list("abcdefgh "), size=40, p=None if t >= 1 else
                               [0.5] + [0.5 / 8] * 8))
                measures.append({"variant": "none", "replicate": r, "dropout": 0.0,
                                 "temperature": t, "sample": i, "prompt": json.dumps(text[0]),
                                 "text": json.dumps(text), "log2_prob": -1.0 - t - 0.01 * i,
                                 "scorer": "source", "entropy": t + 0.01 * i})
    for step in (50, 100):
        for t in (0.0, 0.5, 1.0, 2.0):
            samples.append({"variant": "none", "replicate": 0, "dropout": 0.0,
                            "kind": "snapshot", "step": step, "temperature": t, "sample": 0,
                            "prompt": json.dumps("a"), "text": json.dumps(f"a|<{t}>\n")})
    for t in (0.0, 0.5, 1.0, 2.0):
        samples.append({"variant": "none", "replicate": 0, "dropout": 0.0, "kind": "prefix",
                        "step": 100, "temperature": t, "sample": 0,
                        "prompt": json.dumps("the "), "text": json.dumps("the end")})
    return {"e17_char_generation_curves": pd.DataFrame(curves),
            "e17_char_generation_measures": pd.DataFrame(measures),
            "e17_char_generation_samples": pd.DataFrame(samples)}


REPORT = {"alpha": 0.05, "confidence": 0.95, "e17_char_generation": {"ngram": 4}}


def verdicts(numbers):
    return {c["claim"].split(":")[0].split(" (")[0]: c["verdict"] for c in numbers["claims"]}


def test_verdicts_follow_the_evidence_and_need_enough_replicates():
    section = {**SECTION, "variants": ["none", "between", "recurrent"]}
    numbers = claims(synthetic_tables(5, 0.02, 0.03), section, REPORT)
    assert verdicts(numbers) == {
        "lower temperature": "held", "higher temperature": "held",
        "dropout between layers helps": "held",
        "dropout on the recurrent connection does not help": "held"}
    assert [d["variant"] for d in numbers["dropout"]] == ["none", "between", "recurrent"]
    assert numbers["snapshots"][0]["texts"][1] == "a|<0.5>\n"
    assert [m["temperature"] for m in numbers["measures"]] == [0.0, 0.5, 1.0, 2.0]
    # dropout that does not help is reported as it is
    numbers = claims(synthetic_tables(5, -0.02, -0.03), section, REPORT)
    assert verdicts(numbers)["dropout between layers helps"] == "not held"
    assert verdicts(numbers)["dropout on the recurrent connection does not help"] == "not held"
    # four replicates: no signed-rank test can reach p < 0.05
    numbers = claims(synthetic_tables(4, 0.02, 0.03), section, REPORT)
    assert verdicts(numbers)["dropout between layers helps"] == "not testable"
    # a variant left out of the run leaves its comparison untestable
    only = {**section, "variants": ["none", "between"]}
    tables = synthetic_tables(5, 0.02, 0.03)
    curves = tables["e17_char_generation_curves"]
    tables["e17_char_generation_curves"] = curves[curves["variant"] != "recurrent"]
    numbers = claims(tables, only, REPORT)
    assert verdicts(numbers)["dropout on the recurrent connection does not help"] == \
        "not testable"


# -- the benchmark rows ---------------------------------------------------------------------

def test_the_benchmark_rows_of_e17_run():
    speed = speed_module()
    rows = speed.char_rows(tiny=True, cores=1, peak={1: 10.0})
    assert [(r["work"], r["model"]) for r in rows] == [
        ("char_lm", "lstm"), ("char_lm", "lstm_recurrent_dropout")]
    for row in rows:
        assert row["size"] == "H=128 L=2 T=30 B=64" and row["unit"] == "characters/s"
        assert row["population"] > 0 and row["torch_nn"] > 0 and row["gflops"] > 0
        ratio = row["population"] / row["torch_nn"]  # of rounded rates
        assert row["ratio"] == pytest.approx(ratio, rel=0.01, abs=0.01)
        steps_per_s = row["population"] / (64 * 30)
        gflops = speed.char_flops(speed.CharWork()) * steps_per_s / 1e9
        assert row["gflops"] == pytest.approx(gflops, rel=0.01, abs=0.01)
