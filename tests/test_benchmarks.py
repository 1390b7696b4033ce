"""The benchmark suite runs (at a tiny size) and writes its table; speed is not asserted."""
import csv
import subprocess
import sys

import pytest

from conftest import ROOT


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
    assert "peak float32 matmul" in done.stdout
