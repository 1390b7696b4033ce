"""Bad input is refused with one clear message naming the file or key, not a traceback.

Each case damages a finished smoke build (or asks for a device that is not there) and runs
real Snakemake; the README's troubleshooting table lists the same cases.
"""
import pandas as pd
import pytest
import torch

from rnnstudy.jobs.aggregate import aggregate
from rnnstudy.results import ResultsError, read_results

from conftest import SMOKE, snakemake


def failed_run(workdir, *args) -> str:
    done = snakemake(workdir, *args, "--configfile", SMOKE, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    return output


def test_a_device_that_is_not_there(build):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: device cuda is there")
    # One training job (its params change with the device, so it reruns): it refuses to
    # start, naming the key.
    output = failed_run(build, "results/runs/e1_trainability/first-gru-i2-h2/final.csv",
                        "--config", "device=cuda")
    assert "config key 'device'" in output and "GPU" in output


def test_a_corrupt_dataset(build):
    dataset = build / "results" / "data" / "first.npz"
    dataset.write_bytes(b"PK\x03\x04 this is not a dataset")
    # One of the jobs that read it (they all read it the same way; the others would each
    # fail alike).
    output = failed_run(build, "results/runs/e1_trainability/first-gru-i2-h2/final.csv")
    assert "dataset file results/data/first.npz is corrupt or truncated" in output


def test_a_truncated_weights_file(build):
    weights = build / "results" / "runs" / "e3_word_geometry" / "count-gru-i2-h2" / "weights.pt"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    output = failed_run(build)
    assert "weights file results/runs/e3_word_geometry/count-gru-i2-h2/weights.pt is corrupt " \
           "or truncated" in output


def test_a_results_table_cut_short(build):
    final = build / "results" / "runs" / "e2_capacity" / "first-rnn-i2-h2" / "final.csv"
    final.write_bytes(final.read_bytes()[:-30])
    output = failed_run(build)
    assert "results file results/runs/e2_capacity/first-rnn-i2-h2/final.csv is cut short" in output


def test_missing_or_empty_results_files(tmp_path):
    with pytest.raises(ResultsError, match="results file .*missing.csv does not exist"):
        aggregate(final=[str(tmp_path / "missing.csv")], metrics=[str(tmp_path / "missing.csv")],
                  members=str(tmp_path / "t.csv"), epochs=str(tmp_path / "e.csv"),
                  params={"cells": [{}]})
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ResultsError, match="empty or damaged"):
        read_results(empty)
    partial = tmp_path / "partial.csv"
    pd.DataFrame({"init": [0, 1], "val_acc": [0.5, 0.6]}).to_csv(partial, index=False)
    with pytest.raises(ResultsError, match=r"lacks columns \['epochs'\]"):
        read_results(partial, ("init", "epochs"))
