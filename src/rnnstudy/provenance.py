"""Where a result came from: code version, config, library versions, device.

Every table row carries the provenance of the job that produced it (`stamp`), so a table
built up over incremental reruns shows which rows came from which code and config. The
config hash is of the whole resolved config of that run; jobs get it from the run, not from
their params, so it never triggers a rerun.
"""
from __future__ import annotations

import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from .config import config_hash

if TYPE_CHECKING:  # pandas is imported where it is used: every job runs this module, and a
    import pandas as pd  # figure job's process (its kernel draws) needs no pandas

# Last in every table (and dataset summary): the provenance of the job that made the row.
PROVENANCE = {
    "git_commit": "commit of the workflow's repository (unknown outside a git checkout)",
    "git_dirty": "True if the checkout had uncommitted changes to tracked files",
    "config_hash": "hash of the run's whole resolved config (16 hex digits)",
    "python": "Python version",
    "torch": "torch version",
    "snakemake": "Snakemake version",
    "device": "device type the job computed on (cpu or cuda)",
}
COLUMNS = tuple(PROVENANCE)


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(directory), *args], capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def run_provenance(config: dict, workflow_dir) -> dict:
    """Provenance of a run, less the device (which each job adds): git state of the
    workflow's repository ("unknown" outside one), config hash and versions."""
    commit = _git(Path(workflow_dir), "rev-parse", "HEAD")
    status = _git(Path(workflow_dir), "status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": commit or "unknown",
        "git_dirty": "unknown" if status is None else bool(status),
        "config_hash": config_hash(config),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "snakemake": _version("snakemake"),
    }


def stamp(frame: pd.DataFrame, run: dict, device: str) -> pd.DataFrame:
    """`frame` with the provenance columns appended."""
    values = {**run, "device": device}
    return frame.assign(**{column: values[column] for column in COLUMNS})


def producers(frames: list[pd.DataFrame]) -> list[dict]:
    """The distinct provenances among the rows of `frames`, with row counts."""
    import pandas as pd

    rows = pd.concat([f[list(COLUMNS)] for f in frames], ignore_index=True)
    rows = rows.fillna("unknown").astype(str)
    counted = rows.value_counts(sort=False, dropna=False).reset_index(name="rows")
    return counted.sort_values(list(COLUMNS)).to_dict(orient="records")


def with_provenance(made: pd.DataFrame, source: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """`made` (one row per `keys`, computed from `source`) with the provenance of the
    source rows behind it (the first of each key's rows: one shard made them all)."""
    return made.join(source.groupby(keys)[list(COLUMNS)].first(), on=keys)
