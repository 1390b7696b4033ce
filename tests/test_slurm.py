"""The workflow on a real SLURM cluster, through Snakemake's SLURM executor plugin.

tests/slurm/start_cluster.sh installs Debian's SLURM and starts a one-node cluster on this
machine with four fake GPUs (conftest starts it in the background when the session starts,
and stops it at the end); the builds run `snakemake --profile profiles/slurm` unchanged,
plus tests/slurm/profile for what is particular to the test cluster (its partition, no
accounting database). Needs root: skipped, with the reason, where the script cannot install
or start SLURM (and in CI a skip fails).
"""
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from conftest import CLUSTER_SCRIPTS, SMOKE, copy_workflow, snakemake
from helpers import ROOT

# One worker runs them, one after the other, on the one cluster.
pytestmark = [pytest.mark.slurm, pytest.mark.xdist_group("slurm")]

PROFILES = ("--profile", str(ROOT / "profiles" / "slurm"),
            "--profile", str(CLUSTER_SCRIPTS / "profile"))
FAKE_GPUS = ("0", "1", "2", "3")  # the test cluster's node, as start_cluster.sh sets it up


def start(workdir: Path, *args: str) -> subprocess.Popen:
    """Snakemake on the cluster, in the background; its output goes to workdir/slurm.out."""
    with open(workdir / "slurm.out", "w") as out:
        return subprocess.Popen([sys.executable, "-m", "snakemake", *PROFILES, *args],
                                cwd=workdir, stdout=out, stderr=subprocess.STDOUT)


def finish(run: subprocess.Popen, workdir: Path, ok: bool = True, timeout: int = 600) -> str:
    run.wait(timeout=timeout)
    output = (workdir / "slurm.out").read_text()
    assert (run.returncode == 0) == ok, f"snakemake exited {run.returncode}:\n{output[-6000:]}"
    return output


def planned_jobs(output: str) -> Counter:
    """Jobs per rule from the `Job stats` table Snakemake prints before running."""
    stats = output.split("Job stats:")[1].split("\n\n")[0]
    return Counter({m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", stats, re.M)
                    if m[1] != "total"})


def slurm_jobs(output: str) -> list[dict]:
    """SLURM's own record of every job (each array task apart) the run submitted.

    The plugin names all jobs of a run after its run ID and puts the rule in the comment;
    without an accounting database, squeue keeps finished jobs for MinJobAge.
    """
    run_id = re.search(r"SLURM run ID: (\S+)", output)[1]
    lines = subprocess.run(["squeue", "--states=all", "--array", "--noheader",
                            "--name", run_id, "--format=%i|%A|%T|%k"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    jobs = []
    for line in lines:
        job_id, internal_id, state, comment = line.split("|")
        rule = re.match(r"rule_(.+?)(?:_wildcards_.*)?$", comment)[1]
        jobs.append({"id": job_id, "internal_id": internal_id, "state": state, "rule": rule})
    return jobs


# What the cluster must run, and no more: training as a job array on the GPUs SLURM grants
# (E1's two cells) after its datasets, and the aggregation; a figure (a notebook kernel
# inside a SLURM job); shards and the experiment job that reads them (E8); the corpus.
# Every other rule is a job like these, so the whole smoke preset through sbatch would add
# time and no check. 10 jobs.
TARGETS = ("results/tables/e1_trainability.csv", "results/figures/e1_trainability_first.png",
           "results/tables/e8_capacity_points.csv", "results/data/corpus.json")


@pytest.fixture(scope="module")
def builds(cluster, tmp_path_factory, request):
    """TARGETS of the smoke preset built on the cluster, training jobs asking for a GPU each,
    and the shared local build of the whole preset (asked for once the cluster's build is
    done, so that the two builds can run at once).

    Training still runs on the CPU (device: auto sees no CUDA); only the GPU request is
    forced, so SLURM hands out its fake GPUs.
    """
    on_slurm = copy_workflow(tmp_path_factory.mktemp("builds") / "slurm")
    run = start(on_slurm, *TARGETS, "--configfile", SMOKE, "--set-resources", "train:gpu=1")
    output = finish(run, on_slurm)
    return on_slurm, request.getfixturevalue("smoke_build"), output


def test_every_job_went_through_sbatch(builds):
    on_slurm, _, output = builds
    planned = planned_jobs(output)
    del planned["all"]  # the target rule runs nothing
    jobs = slurm_jobs(output)
    assert Counter(job["rule"] for job in jobs) == planned
    assert {job["state"] for job in jobs} == {"COMPLETED"}
    assert "train" in planned and any("_" in job["id"] for job in jobs)  # a job array
    assert "Nothing to be done" in snakemake(on_slurm, "-n", *TARGETS, "--configfile",
                                             SMOKE).stdout


def test_artifacts_equal_those_of_a_local_build(builds):
    on_slurm, local, _ = builds
    made = on_slurm / "results"
    # Logs and executed notebooks hold times; nothing else may differ.
    compared = [p.relative_to(made) for p in made.rglob("*") if p.is_file()
                and p.suffix not in (".log", ".ipynb") and "logs" not in p.parts]
    assert {".csv", ".png", ".pdf", ".pt", ".json", ".txt"} <= {p.suffix for p in compared}
    assert all(Path(t).relative_to("results") in compared for t in TARGETS)
    missing = [str(p) for p in compared if not (local / "results" / p).is_file()]
    assert missing == []  # the cluster made nothing a local build does not
    differing = [str(p) for p in compared
                 if (made / p).read_bytes() != (local / "results" / p).read_bytes()]
    assert differing == []


def test_training_jobs_were_granted_a_gpu_and_saw_it(builds):
    on_slurm, _, output = builds
    jobs = {job["internal_id"]: job for job in slurm_jobs(output)}
    logs = list((on_slurm / "results" / "logs" / "train").glob("*/*.log"))
    assert len(logs) == planned_jobs(output)["train"]
    for log in logs:
        seen = re.search(r"CUDA_VISIBLE_DEVICES=(\S*) \(granted by SLURM to job (\d+)\)",
                         log.read_text())
        assert seen, f"{log} does not say which GPU SLURM granted"
        device, job_id = seen.groups()
        assert device in FAKE_GPUS
        assert jobs[job_id]["rule"] == "train"
        record = subprocess.run(["scontrol", "--details", "--oneliner", "show", "job", job_id],
                                capture_output=True, text=True, check=True).stdout
        assert "JOB_GRES=gpu:1" in record, record
    # Jobs of other rules asked for no GPU.
    for job in jobs.values():
        if job["rule"] != "train":
            record = subprocess.run(["scontrol", "--oneliner", "show", "job", job["internal_id"]],
                                    capture_output=True, text=True, check=True).stdout
            assert "gpu" not in record, record


def wait_for(condition, timeout: float, what: str, run: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while not condition():
        assert run.poll() is None, f"snakemake ended (status {run.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


OUTPUTS = ("metrics.csv", "final.csv", "weights.pt")  # of a training job


def test_a_cancelled_training_job_is_rerun_and_nothing_partial_is_kept(cluster, tmp_path):
    workdir = copy_workflow(tmp_path / "build")
    # One training cell long enough (about 8 s on the fused path) to be cancelled mid-training.
    epochs = 500
    (workdir / "slow.yaml").write_text(
        f"data: {{train: 8000}}\ntraining: {{max_epochs: {epochs}, patience: {epochs}, "
        "min_lr: 0}\n"
        "experiments:\n  e1_trainability: {tasks: [first], models: [gru], input_dims: [2],"
        " hidden_dims: [4], inits: 2}\n")
    cell = workdir / "results" / "runs" / "e1_trainability" / "first-gru-i2-h4"
    args = (str(cell.relative_to(workdir) / "final.csv"), "--configfile", SMOKE, "slow.yaml")
    run = start(workdir, *args)
    log = workdir / "results" / "logs" / "train" / "e1_trainability" / "first-gru-i2-h4.log"
    wait_for(lambda: log.exists() and "epoch 1:" in log.read_text(), 180, "training to start",
             run)
    train = [job for job in slurm_jobs((workdir / "slurm.out").read_text())
             if job["rule"] == "train" and job["state"] == "RUNNING"]
    assert len(train) == 1
    subprocess.run(["scancel", train[0]["internal_id"]], check=True)
    output = finish(run, workdir, ok=False)
    assert "CANCELLED" in output
    assert f"epoch {epochs}:" not in log.read_text()  # it was stopped mid-training
    assert not any((cell / name).exists() for name in OUTPUTS)  # not even a part of one
    assert not list(cell.glob(".*"))  # nor a temporary file

    output = finish(start(workdir, *args), workdir)
    assert "rule train" in output
    final = pd.read_csv(cell / "final.csv")
    assert (final["epochs"] == epochs).all()  # a whole training, not the cancelled one's
    assert len(pd.read_csv(cell / "metrics.csv")) == (epochs + 1) * len(final)  # epochs 0-N
    assert all((cell / name).exists() for name in OUTPUTS) and not list(cell.glob(".*"))
    assert "Nothing to be done" in snakemake(workdir, "-n", *args).stdout
