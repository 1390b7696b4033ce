"""On a machine with a GPU (`make gpu-check`): the smoke preset builds with device=cuda.

Every job that computes on the config's device runs on the GPU there (the recurrent cells on
the plain path: the fused kernels are CPU code), and the tables say so in their provenance.
Without CUDA the test skips, saying so (CI's machines have none).
"""
import json

import pandas as pd
import pytest
import torch

from conftest import SMOKE, snakemake
from kill_anywhere import copy_workflow

pytestmark = [pytest.mark.cuda, pytest.mark.build,
              pytest.mark.skipif(not torch.cuda.is_available(),
                                 reason="no CUDA device on this machine")]

# Tables whose every row a device job computed (training, E5's evaluation, seed 000's and
# 003's populations).
ON_DEVICE = ["e1_trainability", "e2_capacity", "e5_landscape_histogram", "e8_capacity_points",
             "e15_palindromes_runs"]


def test_the_smoke_preset_builds_on_cuda(tmp_path):
    workdir = copy_workflow(tmp_path / "build")
    # Everything but the PDF, which needs LaTeX rather than a GPU.
    snakemake(workdir, "results/report.html", "--configfile", SMOKE,
              "--config", "device=cuda")
    tables = workdir / "results" / "tables"
    for name in ON_DEVICE:
        devices = set(pd.read_csv(tables / f"{name}.csv")["device"])
        assert devices == {"cuda"}, (name, devices)
    numbers = json.loads((tables / "numbers.json").read_text())
    assert numbers["verdicts"]["claims"] > 0
    log = next((workdir / "results" / "logs" / "train").rglob("*.log")).read_text()
    assert " on cuda" in log
