"""GPU requests and local GPU pinning (src/rnnstudy/gpu_slots.py), with fake device slots.

Jobs are separate processes holding a slot until told to end, as Snakemake's jobs are.
"""
import os
import re
import select
import signal
import subprocess
import sys
from datetime import datetime

import pytest

from rnnstudy.experiments import REGISTRY, SHARDED
from rnnstudy.gpu_slots import SLOTS_ENV, GpuSlotError, device_ids, gpu_slot, requested_gpus

from conftest import SMOKE, snakemake

# Jobs that wait for each other, and a build whose two jobs must overlap: one worker, in turn.
pytestmark = pytest.mark.xdist_group("gpu_slots")

# A job: takes `gpus` slots, prints its CUDA_VISIBLE_DEVICES, then waits for a line on stdin:
# "done" ends it normally, "fail" raises inside the slot.
JOB = """
import os, sys
from rnnstudy.gpu_slots import gpu_slot
with gpu_slot(int(sys.argv[1]), sys.argv[2], poll_seconds=0.05):
    print(os.environ["CUDA_VISIBLE_DEVICES"], flush=True)
    if sys.stdin.readline().strip() == "fail":
        raise RuntimeError("the job failed")
"""


@pytest.fixture
def fake_slots(monkeypatch):
    monkeypatch.setenv(SLOTS_ENV, "2")
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


class Job:
    def __init__(self, lock_dir, gpus=1):
        self.process = subprocess.Popen([sys.executable, "-c", JOB, str(gpus), str(lock_dir)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)

    def devices(self, timeout=20.0) -> str | None:
        """The job's CUDA_VISIBLE_DEVICES once it holds its slots; None if it still waits."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return self.process.stdout.readline().strip() if ready else None

    def end(self, how):
        if how == "sigkill":
            self.process.send_signal(signal.SIGKILL)
        else:
            self.process.communicate(f"{how}\n", timeout=20)
        self.process.wait(timeout=20)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def jobs(tmp_path, fake_slots):
    started = []

    def start(gpus=1):
        started.append(Job(tmp_path / "slots", gpus))
        return started[-1]

    yield start
    for job in started:
        job.stop()


def test_only_device_cuda_asks_for_a_gpu():
    assert requested_gpus("cuda") == 1
    assert [requested_gpus(d) for d in ("auto", "cpu", "cuda:0", "cuda:1")] == [0, 0, 0, 0]


def test_device_ids_come_from_fake_slots_or_the_visible_devices(monkeypatch):
    monkeypatch.setenv(SLOTS_ENV, "3")
    assert device_ids() == ["0", "1", "2"]
    monkeypatch.delenv(SLOTS_ENV)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")
    assert device_ids() == ["2", "3"]
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    monkeypatch.setenv("PATH", "")  # no nvidia-smi: no GPU
    assert device_ids() == []


def test_concurrent_jobs_get_distinct_slots_and_a_third_waits(jobs):
    first, second = jobs(), jobs()
    assert {first.devices(), second.devices()} == {"0", "1"}
    third = jobs()
    assert third.devices(timeout=1.0) is None  # both slots taken: it waits


@pytest.mark.parametrize("how", ["done", "fail", "sigkill"])
def test_a_slot_is_free_again_when_its_job_ends_however_it_ends(jobs, how):
    first, second = jobs(), jobs()
    taken = {first: first.devices(), second: second.devices()}
    waiting = jobs()
    assert waiting.devices(timeout=1.0) is None
    first.end(how)
    assert first.process.returncode == (0 if how == "done" else
                                        1 if how == "fail" else -signal.SIGKILL)
    assert waiting.devices() == taken[first]  # the freed slot, not the one still held


def test_a_job_asking_for_two_gpus_gets_both(jobs):
    job = jobs(gpus=2)
    assert job.devices() == "0,1"


def test_more_gpus_than_the_machine_has_is_an_error(fake_slots, tmp_path):
    with pytest.raises(GpuSlotError, match="needs 3 GPU"):
        with gpu_slot(3, tmp_path):
            pass


def test_no_pinning_without_a_gpu_request_or_under_slurm(fake_slots, monkeypatch, tmp_path):
    with gpu_slot(0, tmp_path / "none"):
        assert "CUDA_VISIBLE_DEVICES" not in os.environ
    # SLURM set CUDA_VISIBLE_DEVICES to what it granted the job: keep it.
    monkeypatch.setenv("SLURM_JOB_ID", "7")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    with gpu_slot(1, tmp_path / "slurm"):
        assert os.environ["CUDA_VISIBLE_DEVICES"] == "1"
    assert not (tmp_path / "slurm").exists()


def test_the_slot_is_set_only_inside_the_block(fake_slots, tmp_path):
    with gpu_slot(1, tmp_path):
        assert os.environ["CUDA_VISIBLE_DEVICES"] == "0"
    assert "CUDA_VISIBLE_DEVICES" not in os.environ


def job_resources(dry_run: str) -> dict[str, list[str]]:
    """Each planned job's `resources:` line from `snakemake -n`, by rule."""
    by_rule = {}
    for block in re.split(r"\n(?=\[\w{3} \w{3} )", dry_run):  # a job's block starts with its date
        rule = re.search(r"^(?:local)?rule (\w+):", block, re.M)
        resources = re.search(r"^\s+resources: (.*)$", block, re.M)
        if rule and resources:
            by_rule.setdefault(rule[1], []).append(resources[1])
    return by_rule


# The rules whose jobs compute with torch on the config's device.
ON_DEVICE = ("train", "e7_perturbation",
             *(f"{e.id}_shard" for e in REGISTRY if e.kind == SHARDED))


def test_device_cuda_makes_every_training_job_ask_for_one_gpu(workflow_dir):
    cuda = job_resources(snakemake(workflow_dir, "-n", "--configfile", SMOKE,
                                   "--config", "device=cuda").stdout)
    for rule in ON_DEVICE:
        assert cuda[rule] and all("gpu=1" in r for r in cuda[rule]), rule
    assert not any("gpu=1" in r for rule, lines in cuda.items() if rule not in ON_DEVICE
                   for r in lines)
    auto = job_resources(snakemake(workflow_dir, "-n", "--configfile", SMOKE).stdout)
    assert not any("gpu=1" in r for r in auto["train"])


def pinned_spans(log_text: str) -> list[tuple[str, datetime, datetime]]:
    """(device, pinned at, released at) from a job log."""
    stamp = r"^(\S+ \S+) INFO rnnstudy\.gpu_slots: "
    pins = re.findall(stamp + r"CUDA_VISIBLE_DEVICES=(\S+) \(pinned", log_text, re.M)
    releases = re.findall(stamp + r"released GPU slot (\S+)", log_text, re.M)
    parse = lambda s: datetime.strptime(s, "%Y-%m-%d %H:%M:%S,%f")  # noqa: E731
    return [(device, parse(start), parse(end))
            for (start, device), (end, _) in zip(pins, releases, strict=True)]


def test_a_local_run_pins_concurrent_training_jobs_to_distinct_gpus(workflow_dir, monkeypatch):
    # Training runs on the CPU; only the GPU request is forced, against two fake devices.
    monkeypatch.setenv(SLOTS_ENV, "2")
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    # The datasets first, so that both training jobs are ready, and start, together; and
    # 250 epochs each (about 4 s on the fused path), so that they overlap by more than their
    # start skew, also on a machine busy with other tests.
    (workflow_dir / "longer.yaml").write_text("training: {max_epochs: 250, patience: 250}\n")
    configs = ("--configfile", SMOKE, "longer.yaml")
    snakemake(workflow_dir, "results/data/first.npz", "results/data/xor.npz", *configs)
    snakemake(workflow_dir, "results/tables/e1_trainability.csv", *configs,
              "--resources", "gpu=2", "--set-resources", "train:gpu=1")
    logs = sorted((workflow_dir / "results" / "logs" / "train" / "e1_trainability").glob("*.log"))
    spans = [span for log in logs for span in pinned_spans(log.read_text())]
    assert len(spans) == len(logs) >= 2
    assert {device for device, _, _ in spans} == {"0", "1"}
    overlapping = [(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]
                   if a[1] < b[2] and b[1] < a[2]]
    assert overlapping, "no two training jobs ran at once"
    assert all(a[0] != b[0] for a, b in overlapping)
