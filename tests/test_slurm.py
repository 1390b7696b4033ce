"""The workflow on a real SLURM cluster, through Snakemake's SLURM executor plugin.

tests/slurm/start_cluster.sh installs Debian's SLURM and starts a one-node cluster on this
machine with four fake GPUs; the builds run `snakemake --profile profiles/slurm`
unchanged, plus tests/slurm/profile for what is particular to the test cluster (its
partition, no accounting database). Needs root: skipped, with the reason, where the script
cannot install or start SLURM.
"""
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, SMOKE, copy_workflow, snakemake

SCRIPTS = ROOT / "tests" / "slurm"
PROFILES = ("--profile", str(ROOT / "profiles" / "slurm"),
            "--profile", str(SCRIPTS / "profile"))
CANNOT_RUN = 77  # start_cluster.sh: no root, no apt, or a real cluster's config present
FAKE_GPUS = ("0", "1", "2", "3")  # the test cluster's node, as start_cluster.sh sets it up


@pytest.fixture(scope="module")
def cluster():
    started = subprocess.run([SCRIPTS / "start_cluster.sh"], capture_output=True, text=True)
    if started.returncode == CANNOT_RUN:
        pytest.skip(f"no SLURM test cluster: {started.stderr.strip()}")
    assert started.returncode == 0, f"start_cluster.sh failed:\n{started.stdout}{started.stderr}"
    yield
    subprocess.run([SCRIPTS / "stop_cluster.sh"], check=True)


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


# One experiment of every kind and rule the cluster runs differently (training arrays, a
# selection job, shards, an analysis of another experiment's table, the corpus, a figure):
# the whole smoke preset through sbatch would take most of the suite's time, and every
# other rule is a job like these.
TARGETS = ("results/tables/e1_trainability.csv", "results/figures/e1_trainability_first.png",
           "results/tables/e3_word_geometry_vectors.csv",
           "results/tables/e5_landscape_histogram.csv",
           "results/tables/e9_relu_tanh_comparison.csv",
           "results/tables/e12_char_models_points.csv")


@pytest.fixture(scope="module")
def builds(cluster, smoke_build, tmp_path_factory):
    """TARGETS of the smoke preset built on the cluster, training jobs asking for a GPU each,
    and the shared local build of the whole preset.

    Training still runs on the CPU (device: auto sees no CUDA); only the GPU request is
    forced, so SLURM hands out its fake GPUs.
    """
    on_slurm = copy_workflow(tmp_path_factory.mktemp("builds") / "slurm")
    run = start(on_slurm, *TARGETS, "--configfile", SMOKE, "--set-resources", "train:gpu=1")
    return on_slurm, smoke_build, finish(run, on_slurm)


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
    # One training cell long enough (about 6 s) to be cancelled mid-training.
    (workdir / "slow.yaml").write_text(
        "data: {train: 8000}\ntraining: {max_epochs: 12, patience: 12, min_lr: 0}\n"
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
    assert "epoch 12:" not in log.read_text()  # it was stopped mid-training
    assert not any((cell / name).exists() for name in OUTPUTS)  # not even a part of one
    assert not list(cell.glob(".*"))  # nor a temporary file

    output = finish(start(workdir, *args), workdir)
    assert "rule train" in output
    final = pd.read_csv(cell / "final.csv")
    assert (final["epochs"] == 12).all()  # a whole training, not the cancelled one's remains
    assert len(pd.read_csv(cell / "metrics.csv")) == 13 * len(final)  # epochs 0-12
    assert all((cell / name).exists() for name in OUTPUTS) and not list(cell.glob(".*"))
    assert "Nothing to be done" in snakemake(workdir, "-n", *args).stdout
