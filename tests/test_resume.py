"""A training job killed with SIGKILL resumes from its checkpoint and ends identical to an
uninterrupted run (on the CPU)."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from rnnstudy.data.sentiment import Vocabulary, save_dataset, sentiment_dataset
from rnnstudy.jobs.train import fingerprint, train_cell
from rnnstudy.training.checkpoint import Checkpoint

from helpers import RUN

PARAMS = {
    "experiment": "e2_capacity", "task": "first", "model": "gru", "input_dim": 2,
    "hidden_dim": 4, "inits": 4, "seed": 11, "embedding": "learned", "device": "cpu",
    "dtype": "float32", "kernels": "fused", "keep_trajectory": True,
    # Enough epochs (none stopping early) that a kill lands mid-run on the fast path too.
    "training": {"lr": 1e-3, "lr_decay": 0.5, "min_lr": 1e-6, "patience": 500,
                 "max_epochs": 150, "batch_size": 16},
}
EVERY_EPOCH = {"epochs": 1, "minutes": 60}
OUTPUTS = ("metrics.csv", "final.csv", "weights.pt")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "first.npz"
    splits = sentiment_dataset("first", 10, {"train": 1600, "validation": 300, "test": 300},
                               Vocabulary(), 5)
    save_dataset(path, splits, Vocabulary())
    return path


def run_in_process(dataset, out, checkpointing=None):
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    train_cell(dataset=str(dataset), params=PARAMS, run=RUN, threads=1, checkpoint=checkpointing,
               **{name.split(".")[0]: str(out / name) for name in OUTPUTS})


def start_job(dataset, out, log):
    code = ("import sys, logging; logging.basicConfig(level=logging.INFO, stream=sys.stderr);"
            "from rnnstudy.jobs.train import train_cell;"
            f"train_cell(dataset={str(dataset)!r}, params={PARAMS!r}, run={RUN!r}, threads=1, "
            f"checkpoint={EVERY_EPOCH!r}, "
            + ", ".join(f"{name.split('.')[0]}={str(out / name)!r}" for name in OUTPUTS) + ")")
    return subprocess.Popen([sys.executable, "-c", code], stderr=log, start_new_session=True)


@pytest.fixture(scope="module")
def uninterrupted(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted")
    run_in_process(dataset, out)
    return out


def assert_same_outputs(a, b):
    for name in ("metrics.csv", "final.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    wa, wb = (torch.load(d / "weights.pt", weights_only=True) for d in (a, b))
    assert wa.keys() == wb.keys()
    assert torch.equal(wa["params"], wb["params"])
    assert torch.equal(wa["trajectory"], wb["trajectory"])


@pytest.mark.slow
def test_sigkill_then_rerun_gives_identical_results(dataset, uninterrupted, tmp_path):
    out = tmp_path / "killed"
    out.mkdir()
    checkpoint = out / "checkpoint.pt"
    with open(tmp_path / "first.log", "wb") as log:
        job = start_job(dataset, out, log)
        deadline = time.monotonic() + 120
        while not checkpoint.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)  # a few more epochs, so the kill lands mid-run
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()
    assert job.returncode == -signal.SIGKILL
    assert checkpoint.exists(), "no checkpoint was written before the kill"
    assert not (out / "final.csv").exists(), "the job finished before it could be killed"
    saved_epoch = torch.load(checkpoint, weights_only=True)["epoch"]
    assert 1 <= saved_epoch < PARAMS["training"]["max_epochs"]

    with open(tmp_path / "second.log", "wb") as log:
        assert start_job(dataset, out, log).wait() == 0
    assert f"resuming from checkpoint {checkpoint} at epoch {saved_epoch}" in \
        (tmp_path / "second.log").read_text()
    assert not checkpoint.exists(), "a finished job must remove its checkpoint"
    assert_same_outputs(uninterrupted, out)


@pytest.mark.slow
def test_a_checkpoint_of_other_settings_or_a_corrupt_one_is_not_used(dataset, uninterrupted,
                                                                     tmp_path, caplog):
    out = tmp_path / "stale"
    out.mkdir()
    (out / "checkpoint.pt").write_bytes(b"not a checkpoint at all")
    run_in_process(dataset, out, EVERY_EPOCH)
    assert "ignoring unreadable checkpoint" in caplog.text
    assert_same_outputs(uninterrupted, out)

    # A checkpoint of another seed's job, where this job looks.
    Checkpoint(out / "checkpoint.pt", fingerprint(dict(PARAMS, seed=12), str(dataset))).save(
        {"params": torch.zeros(1)}, 3)
    caplog.clear()
    run_in_process(dataset, out, EVERY_EPOCH)
    assert "belongs to other inputs or settings" in caplog.text
    assert_same_outputs(uninterrupted, out)


# A job function that is stopped in the middle of an atomic write.
SLOW_JOB = '''
import time
from rnnstudy.atomic import atomic_path

def write_slowly(*, table, params):
    with atomic_path(table) as tmp:
        tmp.write_text("the first half of a table")
        print("writing", flush=True)
        time.sleep(120)
'''
# run_rule as Snakemake calls it, with the object Snakemake gives a script.
RUN_RULE = '''
import sys
from types import SimpleNamespace
from rnnstudy.jobs.runner import run_rule

run_rule(SimpleNamespace(
    log=[], params=SimpleNamespace(job="slow_job:write_slowly", params={}), input={},
    output={"table": sys.argv[1]}, resources={}, config={}, scriptdir=".", threads=1))
'''


def test_a_terminated_job_leaves_no_temporary_file(tmp_path):
    """SIGTERM (scancel, a SLURM time limit) mid-write: the job ends with status 143 and
    neither the output nor its temporary file is left."""
    (tmp_path / "slow_job.py").write_text(SLOW_JOB)
    table = tmp_path / "out" / "table.csv"
    job = subprocess.Popen([sys.executable, "-c", RUN_RULE, str(table)], cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(tmp_path)},
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert job.stdout.readline().strip() == "writing"
    assert [p.name for p in table.parent.iterdir()][0].startswith(".table.tmp-")
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(table.parent.iterdir()) == []
