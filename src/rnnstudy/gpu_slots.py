"""Which GPU a job asks for, and which device a local job gets.

Snakemake's `--resources gpu=N` only limits how many GPU jobs run at once; it never tells a
job which device to use, so every job would start on device 0. Here a job takes a free
slot by locking that device's file (fcntl.flock) under a run-local folder and sets
CUDA_VISIBLE_DEVICES to it before torch starts CUDA. The kernel drops the lock when the
process ends, however it ends (error, crash, SIGKILL), so a slot is never lost.

Under SLURM (SLURM_JOB_ID set) nothing is pinned: SLURM already set CUDA_VISIBLE_DEVICES to
the GPUs it granted the job.

No torch import here: CUDA reads CUDA_VISIBLE_DEVICES once, when it starts.
"""
import contextlib
import fcntl
import logging
import os
import subprocess
import time
from pathlib import Path

from .errors import PipelineError

log = logging.getLogger(__name__)

# The number of GPUs to hand out, instead of asking nvidia-smi: fake slots for tests, or
# fewer GPUs than the machine has.
SLOTS_ENV = "RNNSTUDY_GPU_SLOTS"
LOCK_DIR = Path(".snakemake/gpu_slots")  # under the workflow's working directory


class GpuSlotError(PipelineError):
    """A job needs more GPUs than this machine has."""


def requested_gpus(device: str) -> int:
    """GPUs a training job asks for (its Snakemake resource `gpu`) for the config's device.

    Only `cuda` asks for one: it is the setting for "a GPU, whichever one": locally the job is
    pinned to a free one, on a cluster SLURM grants one. `cuda:N` names a device of this
    machine, so it asks for nothing and is not pinned; `auto` and `cpu` ask for nothing.
    """
    return 1 if device == "cuda" else 0


def device_ids() -> list[str]:
    """The ids of the devices local jobs are pinned to (what CUDA_VISIBLE_DEVICES takes)."""
    if SLOTS_ENV in os.environ:
        return [str(i) for i in range(int(os.environ[SLOTS_ENV]))]
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:  # the run was given some devices: share out those
        return [d.strip() for d in visible.split(",") if d.strip()]
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    gpus = [line for line in listing.splitlines() if line.startswith("GPU ")]
    return [str(i) for i in range(len(gpus))]


def _try_lock(path: Path) -> int | None:
    """An open descriptor holding `path`'s exclusive lock, or None if another process has it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def gpu_slot(gpus: int, lock_dir: Path = LOCK_DIR, poll_seconds: float = 1.0):
    """Pin this process to `gpus` free devices (CUDA_VISIBLE_DEVICES) while the block runs.

    Waits while every device is taken (more GPU jobs than devices run at once only when
    `--resources gpu` exceeds the machine's count, or is not given).
    """
    if gpus <= 0:
        yield
        return
    if "SLURM_JOB_ID" in os.environ:
        log.info("CUDA_VISIBLE_DEVICES=%s (granted by SLURM to job %s)",
                 os.environ.get("CUDA_VISIBLE_DEVICES", ""), os.environ["SLURM_JOB_ID"])
        yield
        return
    ids = device_ids()
    if len(ids) < gpus:
        raise GpuSlotError(
            f"the job needs {gpus} GPU(s) but this machine has {len(ids)} (set config key "
            f"'device' to auto or cpu, or {SLOTS_ENV} to the number of GPUs)")
    lock_dir = Path(lock_dir)
    lock_dir.mkdir(parents=True, exist_ok=True)
    held: dict[str, int] = {}
    waiting = False
    try:
        while True:
            for device in ids:
                if len(held) == gpus:
                    break
                fd = _try_lock(lock_dir / f"gpu{device}.lock")
                if fd is not None:
                    held[device] = fd
            if len(held) == gpus:
                break
            # Give back a partial set, so two jobs that each hold part never wait on each other.
            for fd in held.values():
                os.close(fd)
            held.clear()
            if not waiting:
                log.info("waiting for %d free GPU(s) of %s", gpus, ",".join(ids))
                waiting = True
            time.sleep(poll_seconds)
        previous = os.environ.get("CUDA_VISIBLE_DEVICES")
        os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(held)
        log.info("CUDA_VISIBLE_DEVICES=%s (pinned to GPU slot %s of %s)",
                 os.environ["CUDA_VISIBLE_DEVICES"], ",".join(held), ",".join(ids))
        try:
            yield
        finally:
            if previous is None:
                del os.environ["CUDA_VISIBLE_DEVICES"]
            else:
                os.environ["CUDA_VISIBLE_DEVICES"] = previous
            log.info("released GPU slot %s", ",".join(held))
    finally:
        for fd in held.values():
            os.close(fd)
