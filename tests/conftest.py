"""Shared helpers: a copy of the workflow in a temporary directory, and real Snakemake runs."""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from kill_anywhere import copy_workflow  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI=true) a skipped test fails: a test that needs root or a package (SLURM)
    must run there, not vanish from the count. A test of a CUDA device skips on a machine
    without one (CI's), saying so: no install step can give it one."""
    report = (yield).get_result()
    if (os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail")
            and item.get_closest_marker("cuda") is None):
        report.outcome = "failed"
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run Snakemake (this interpreter's) in `workdir`; output captured as text."""
    done = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args],
                          cwd=workdir, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({done.returncode}):\n"
                             f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    return done


SMOKE = "workflow/presets/smoke.yaml"


def snapshot(workdir) -> dict[str, int]:
    return {str(p.relative_to(workdir)): p.stat().st_mtime_ns
            for p in (workdir / "results").rglob("*") if p.is_file()}


def changed(before: dict, after: dict) -> set[str]:
    return {path for path, mtime in after.items() if before.get(path) != mtime}


def planned(workdir, *args) -> dict[str, int]:
    """Jobs per rule that `snakemake -n` would run."""
    out = snakemake(workdir, "-n", "--configfile", SMOKE, *args).stdout
    if "Nothing to be done" in out:
        return {}
    stats = out.split("Job stats:")[1].split("\n\n")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", stats, re.M)
            if m[1] != "total"}


def smoke_config() -> dict:
    """The smoke preset merged over config.yaml and validated, as the workflow sees it."""
    import yaml
    from snakemake.utils import update_config

    from rnnstudy.config import validate_config

    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    update_config(config, yaml.safe_load((ROOT / SMOKE).read_text()))
    return validate_config(config, ROOT / "workflow" / "schemas" / "config.schema.yaml")


@pytest.fixture
def workflow_dir(tmp_path) -> Path:
    return copy_workflow(tmp_path / "workflow_copy")


@pytest.fixture(scope="session")
def timed_smoke_build(tmp_path_factory) -> tuple[Path, float]:
    """One finished build of the smoke preset and its wall time, shared by all tests."""
    workdir = copy_workflow(tmp_path_factory.mktemp("smoke") / "build")
    started = time.monotonic()
    snakemake(workdir, "--configfile", SMOKE)
    return workdir, time.monotonic() - started


@pytest.fixture(scope="session")
def smoke_build(timed_smoke_build) -> Path:
    """The shared smoke build; tests that change it use `build`."""
    return timed_smoke_build[0]


@pytest.fixture
def build(smoke_build, tmp_path) -> Path:
    """A private copy of the finished smoke build (sources, results, Snakemake's records)."""
    return shutil.copytree(smoke_build, tmp_path / "build", symlinks=True)
