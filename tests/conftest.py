"""The suite's fixtures and hooks: real Snakemake runs, the one smoke build of a session, the
SLURM test cluster, the markers, and CI's rule that nothing skips.

- `smoke_build` is made once per session, across pytest-xdist's workers behind a file lock,
  and is read-only: a test that runs anything in it takes `build`, a private copy. The
  session fails if the shared build changed under the tests.
- Markers (`--strict-markers`): `build` (runs Snakemake; given to every test that uses a
  build fixture), `slurm` (needs the SLURM test cluster), `slow` (in-process, but seconds
  long). `make test-fast` runs the others. Only a `build` or `slurm` test may run Snakemake.
- The SLURM test cluster starts in the background as soon as collection finds a `slurm`
  test, so that its install and start overlap the other tests; `cluster` waits for it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from filelock import FileLock

from helpers import ROOT

sys.path.insert(0, str(ROOT / "tools"))

from kill_anywhere import copy_workflow  # noqa: E402

SMOKE = "workflow/presets/smoke.yaml"
BUILD_FIXTURES = {"smoke_build", "build", "workflow_dir"}
CLUSTER_SCRIPTS = ROOT / "tests" / "slurm"
CANNOT_RUN = 77  # start_cluster.sh: no root, no apt, or a real cluster's config present
CLUSTER_START_TIMEOUT = 900  # seconds: a fresh machine installs SLURM from Debian first


def pytest_configure(config):
    # One thread per process: pytest-xdist runs a worker per core, and the models in
    # in-process tests are too small for threads to pay.
    torch.set_num_threads(1)


def schedule_rank(item) -> int:
    """Where a test goes in the run. The SLURM tests first: they mostly wait for the
    cluster, so `make test` runs a worker more than there are cores. Then the kill-anywhere
    test, whose build runs beside the shared smoke build, which the next worker makes for
    the tests that copy it; the builds that do not need it and the in-process tests last,
    to fill the gaps."""
    if item.get_closest_marker("slurm"):
        return 0
    group = item.get_closest_marker("xdist_group")
    if group and group.args == ("kill_anywhere",):
        return 1
    if not item.get_closest_marker("build"):
        return 4
    return 2 if "smoke_build" in item.fixturenames else 3


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BUILD_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.build)
    # Every worker sorts alike, as xdist requires (make test keeps this order:
    # --no-loadscope-reorder).
    items.sort(key=schedule_rank)


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


def shared_root(config) -> Path:
    """The session's temporary folder, the same for every xdist worker (each worker's own
    basetemp is a folder in it)."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


# -- Snakemake ---------------------------------------------------------------------------------

_running: list = []  # the test being run in this process, if any


@pytest.fixture(autouse=True)
def _this_test(request):
    _running.append(request.node)
    yield
    _running.remove(request.node)


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run Snakemake (this interpreter's) in `workdir`; output captured as text."""
    test = _running[-1] if _running else None
    if test is not None and not (test.get_closest_marker("build")
                                 or test.get_closest_marker("slurm")):
        raise AssertionError(f"{test.nodeid} runs Snakemake: mark it `build` (or `slurm`), "
                             "so that `make test-fast` leaves it out")
    done = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args],
                          cwd=workdir, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({done.returncode}):\n"
                             f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    return done


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


# -- the shared smoke build --------------------------------------------------------------------

def build_state(workdir: Path) -> dict[str, list[int]]:
    """Every file of a build, sources and results, by (mtime, size); Snakemake's own records
    and Python's caches left out (a dry run may write them)."""
    return {str(p.relative_to(workdir)): [p.stat().st_mtime_ns, p.stat().st_size]
            for p in workdir.rglob("*") if p.is_file()
            and not {".snakemake", "__pycache__"} & set(p.relative_to(workdir).parts)}


@pytest.fixture(scope="session")
def smoke_build(request) -> Path:
    """One finished build of the smoke preset, shared by every test of the session (and
    every worker): read it, never run anything in it (take `build`)."""
    folder = shared_root(request.config) / "smoke"
    folder.mkdir(exist_ok=True)
    record = folder / "record.json"
    with FileLock(folder / "lock"):
        if not record.exists():  # the first to ask builds it; the others wait and read
            workdir = copy_workflow(folder / "build")
            done = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2",
                                   "--configfile", SMOKE], cwd=workdir, capture_output=True,
                                  text=True)
            failed = done.returncode != 0
            record.write_text(json.dumps({
                "error": (f"the shared smoke build failed ({done.returncode}):\n"
                          f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}") if failed else None,
                "state": build_state(workdir)}))
        made = json.loads(record.read_text())
    if made["error"]:
        pytest.fail(made["error"], pytrace=False)
    return folder / "build"


@pytest.fixture
def build(smoke_build, tmp_path) -> Path:
    """A private copy of the finished smoke build (sources, results, Snakemake's records)."""
    return shutil.copytree(smoke_build, tmp_path / "build", symlinks=True)


def check_the_shared_build_is_unchanged(root: Path) -> list[str]:
    record = root / "smoke" / "record.json"
    if not record.exists():
        return []
    made = json.loads(record.read_text())
    if made["error"]:
        return []
    now = build_state(root / "smoke" / "build")
    return sorted(path for path in set(now) | set(made["state"])
                  if now.get(path) != made["state"].get(path))


# -- the SLURM test cluster ------------------------------------------------------------------

def pytest_collection_finish(session):
    """Check that xdist groups the tests it should; start the SLURM test cluster in the
    background if a `slurm` test is to run (xdist: the first worker to get here starts it;
    the folder's creation is the claim)."""
    if getattr(session.config.option, "loadgroup", False):
        loose = [item.nodeid for item in session.items
                 if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
        if loose:
            raise pytest.UsageError(
                f"pytest-xdist's --dist loadgroup does not group {loose[0]} (and "
                f"{len(loose) - 1} more) with this pytest (pytest-xdist#1386): the SLURM tests "
                "would share the cluster between workers; use the pinned pytest")
    if session.config.option.collectonly or not any(
            item.get_closest_marker("slurm") for item in session.items):
        return
    folder = shared_root(session.config) / "slurm"
    try:
        folder.mkdir()
    except FileExistsError:
        return
    subprocess.Popen(["bash", "-c", '"$0" > "$1" 2>&1; echo $? > "$2.tmp"; mv "$2.tmp" "$2"',
                      CLUSTER_SCRIPTS / "start_cluster.sh", folder / "start.log",
                      folder / "status"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def cluster_status(folder: Path, timeout: float) -> int | None:
    """start_cluster.sh's exit status once it has ended; None if it has not within
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (folder / "status").exists():
        if time.monotonic() > deadline:
            return None
        time.sleep(0.5)
    return int((folder / "status").read_text())


@pytest.fixture(scope="session")
def cluster(request):
    """The one-node SLURM cluster of tests/slurm/start_cluster.sh, up."""
    folder = shared_root(request.config) / "slurm"
    status = cluster_status(folder, CLUSTER_START_TIMEOUT)
    log = (folder / "start.log").read_text() if (folder / "start.log").exists() else ""
    if status == CANNOT_RUN:
        pytest.skip(f"no SLURM test cluster: {log.strip()}")
    assert status == 0, f"start_cluster.sh did not end well ({status}):\n{log}"


def pytest_sessionfinish(session, exitstatus):
    """In the main process, once every worker is done: stop the SLURM cluster, and fail
    the session if a test changed the shared smoke build."""
    if hasattr(session.config, "workerinput"):
        return
    root = shared_root(session.config)
    if (root / "slurm").exists() and cluster_status(root / "slurm", 300) == 0:
        subprocess.run([CLUSTER_SCRIPTS / "stop_cluster.sh"], check=False)
    touched = check_the_shared_build_is_unchanged(root)
    if touched:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"the shared smoke build was changed by a test (take `build`, a "
                            f"copy, to change one): {', '.join(touched[:20])}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
