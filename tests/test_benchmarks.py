"""The benchmark suite runs (at a tiny size) and writes its table; speed is not asserted."""
import csv
import importlib.util
import subprocess
import sys

import pytest

from rnnstudy.models.shapes import largest_hidden

from conftest import ROOT


def speed_module():
    spec = importlib.util.spec_from_file_location("speed", ROOT / "benchmarks" / "speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
