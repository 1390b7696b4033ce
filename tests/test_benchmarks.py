"""The benchmark suite runs (at a tiny size) and writes its table; speed is not asserted."""
import csv
import importlib.util
import subprocess
import sys

import numpy as np
import pytest
import torch

from rnnstudy.models import fused
from rnnstudy.models.classifier import PopulationClassifier
from rnnstudy.models.shapes import largest_hidden
from rnnstudy.training.adam import PopulationAdam
from rnnstudy.training.trainer import train_epoch

from helpers import ROOT, speed_module


@pytest.mark.slow
def test_the_speed_benchmark_runs_and_writes_its_table(tmp_path):
    out = tmp_path / "speed.csv"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "speed.py"), "--tiny",
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = list(csv.DictReader(out.open()))
    assert {(r["work"], r["model"]) for r in rows} >= {("train", m) for m in ("gru", "rnn", "lstm")}
    assert any(r["work"] == "evaluate" for r in rows)
    for row in rows:
        assert float(row["population"]) > 0 and float(row["torch_nn"]) > 0
        ratio = float(row["population"]) / float(row["torch_nn"])  # of rounded rates
        assert float(row["ratio"]) == pytest.approx(ratio, rel=0.01, abs=0.01)
        assert int(row["population_threads"]) >= 1 and int(row["torch_nn_threads"]) >= 1
        assert float(row["gflops"]) > 0 and float(row["percent_of_peak"]) > 0
    assert "peak float32 matmul" in done.stdout

    # The classifier's training rows: the fused path beside the plain one, and the JAX peer
    # where jax is installed (else one line says so and its columns stay empty).
    training = [r for r in rows if r["work"] == "train"]
    assert {r["size"] for r in training} == {"P=3"}
    has_jax = importlib.util.find_spec("jax") is not None
    for row in training:
        assert row["path"] == ("fused" if fused.kernels() else "plain")
        if row["path"] == "fused":
            assert float(row["plain"]) > 0
            ratio = float(row["population"]) / float(row["plain"])
            assert float(row["ratio_vs_plain"]) == pytest.approx(ratio, rel=0.01, abs=0.01)
        if has_jax:
            assert float(row["jax_peer"]) > 0 and float(row["jax_compile_s"]) > 0
            ratio = float(row["population"]) / float(row["jax_peer"])
            assert float(row["ratio_vs_jax_peer"]) == pytest.approx(ratio, rel=0.01, abs=0.01)
        else:
            assert row["jax_peer"] == row["ratio_vs_jax_peer"] == ""
    assert ("jax is not installed" in done.stdout) == (not has_jax)

    # E8's, E10's and E15's fixed-step workloads: one row per cell, at the documented shapes,
    # with the FLOP rate that the population's rate implies.
    speed = speed_module()
    works = ("capacity", "per_unit", "palindromes")
    steps_rows = {(r["work"], r["model"]): r for r in rows if r["work"] in works}
    assert set(steps_rows) == {(w, m) for w in works for m in ("rnn", "gru", "lstm")}
    for (work, model), row in steps_rows.items():
        shape = {"capacity": speed.capacity_work, "per_unit": speed.per_unit_work,
                 "palindromes": speed.palindrome_work}[work](model)
        hidden = {"capacity": largest_hidden(model, 16, 1, 1, 768), "per_unit": 64,
                  "palindromes": 32}[work]
        assert shape.hidden == hidden and row["size"] == f"H={hidden} P={shape.members}"
        assert row["unit"] == "model-steps/s"
        assert row["torch_nn_2_processes"] == "" and row["ratio_vs_2_processes"] == ""
        gflops = speed.steps_flops(shape) * float(row["population"]) / 1e9
        assert float(row["gflops"]) == pytest.approx(gflops, rel=0.01, abs=0.01)
        assert f"{work} {model}" in done.stdout


def test_without_jax_the_peer_is_left_out_saying_so(monkeypatch, capsys):
    speed = speed_module()
    monkeypatch.setattr(speed.importlib.util, "find_spec", lambda name: None)
    assert speed.load_peer() is None
    assert "jax is not installed" in capsys.readouterr().out


@pytest.mark.slow  # JAX compiles each model
@pytest.mark.parametrize("model", ["rnn", "gru", "lstm"])
def test_the_jax_peer_trains_the_populations_members(model):
    """The peer does the population's work: from the same weights on the same minibatches
    its members end where the population's do (float32 rounding apart)."""
    pytest.importorskip("jax", reason="the JAX peer needs the bench extra (jax)")
    speed = speed_module()
    data = speed.first_task(1000, 10)
    members, steps = 3, 5
    peer = speed.peer_training(speed.load_peer(), model, members, steps, data)
    weights, losses = peer()
    net = PopulationClassifier(model, 10, 4, 8)
    params, fixed = net.init_population(list(range(members)))
    start = params.clone()
    lr = torch.full((members,), 1e-3, dtype=torch.float64)
    with fused.use("plain"):
        train_epoch(net, params, fixed, PopulationAdam.zeros_like(params), lr, data["train"],
                    speed.training_order(members, steps, data), 64)
    ours = net.unflatten(params, fixed)
    assert (params != start).any(1).all()
    assert losses.shape == (members, steps)
    for name, value in weights.items():
        torch.testing.assert_close(torch.from_numpy(np.asarray(value)), ours[name], atol=2e-6,
                                   rtol=0, msg=lambda m: f"{name}: {m}")
