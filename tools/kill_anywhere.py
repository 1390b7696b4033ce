"""Kill a build at random moments, rerun it, and compare the result with an uninterrupted one.

    python tools/kill_anywhere.py --kills 5            # the quick preset, in a temporary dir
    python tools/kill_anywhere.py --configfile workflow/presets/smoke.yaml --kills 3

Each round starts `snakemake --rerun-incomplete` on a copy of the workflow and SIGKILLs its
whole process group (Snakemake and its jobs) once a random share (5-90%) of the build's jobs
are done, a random fraction of a job later, so that kills land across the whole DAG and
most often inside a job, on a fast machine or a busy one; after every kill no output file
may be partial or unreadable. At the end the build is completed and every table, per-cell
result, dataset and figure is compared with an uninterrupted build.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import torch

# What a build needs: the workflow, its profiles, the report sources and the package (a
# copy runs its own src/, see workflow/scripts/job.py).
WORKFLOW_FILES = ("Snakefile", "config.yaml", "workflow", "profiles", "paper", "src")
ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info")


def copy_workflow(destination: Path, extra_files: dict[str, str] | None = None,
                  source: Path = ROOT) -> Path:
    """The workflow's sources (not its results) copied to `destination`, plus `extra_files`
    (name → text, e.g. a config file of overrides)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, destination / name, ignore=IGNORED)
        else:
            shutil.copy2(source / name, destination / name)
    for name, text in (extra_files or {}).items():
        (destination / name).write_text(text)
    return destination


def snakemake_command(*args: str, cores: int = 2) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--cores", str(cores), *args]


def build(workdir: Path, configfiles: list[str]) -> float:
    """An uninterrupted build; returns its wall time."""
    started = time.monotonic()
    subprocess.run(snakemake_command("--configfile", *configfiles), cwd=workdir, check=True,
                   capture_output=True)
    return time.monotonic() - started


def unlock(workdir: Path) -> None:
    """What `snakemake --unlock` does for a killed run's locks (remove .snakemake/locks),
    without the seconds of starting Snakemake to do it."""
    shutil.rmtree(workdir / ".snakemake" / "locks", ignore_errors=True)


# The most a kill waits after its job count is reached: about a job's length, so that the
# kill lands inside a job more often than between two.
MID_JOB = 2.0


def killed_build(workdir: Path, configfiles: list[str], share: float, delay: float,
                 whole: int | None) -> tuple[bool, int, int]:
    """Start a (re)build and SIGKILL its process group `delay` seconds after `share` of the
    whole build's jobs are done (`whole`: the first run's job count, None in the first run;
    the jobs earlier runs finished count as done). Returns whether the kill landed (the
    run was still going), the whole build's job count and the jobs done when the count was
    reached."""
    unlock(workdir)
    command = snakemake_command("--rerun-incomplete", "--configfile", *configfiles)
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = {"whole": whole, "before": 0, "done": 0}
    reached = threading.Event()

    def follow():  # Snakemake's log (stderr): its job count first, then "k of n steps"
        for line in process.stderr:
            if seen["whole"] is None or not seen["before"]:
                total = re.match(r"total\s+(\d+)$", line.strip())
                if total:
                    seen["whole"] = seen["whole"] or int(total[1])
                    seen["before"] = seen["whole"] - int(total[1])  # done by earlier runs
                    seen["done"] = seen["before"]
            step = re.match(r"(\d+) of (\d+) steps", line)
            if step:
                seen["done"] = seen["before"] + int(step[1])
            if seen["whole"] and seen["done"] >= max(1, round(share * seen["whole"])):
                reached.set()
        reached.set()  # the log ended: the run is over

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    reached.wait()
    try:
        process.wait(timeout=delay)
        landed = False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        landed = True
    reader.join()
    return landed, seen["whole"] or 0, seen["done"]


def unreadable_outputs(workdir: Path) -> list[str]:
    """Output files that are partial or damaged (temporary files of killed writers aside)."""
    problems = []
    for path in (workdir / "results").rglob("*"):
        if not path.is_file() or ".tmp-" in path.name or path.suffix in (".log", ".ipynb"):
            continue
        try:
            if path.suffix == ".csv":
                pd.read_csv(path)
            elif path.suffix == ".npz":
                with np.load(path) as archive:
                    [archive[k] for k in archive.files]
            elif path.suffix == ".pt":
                torch.load(path, weights_only=True)
            elif path.suffix == ".json":
                json.loads(path.read_text())
            elif path.suffix in (".png", ".pdf", ".html") and path.stat().st_size == 0:
                raise ValueError("empty")
        except (OSError, ValueError, RuntimeError, zipfile.BadZipFile, pd.errors.ParserError,
                pd.errors.EmptyDataError) as error:
            problems.append(f"{path.relative_to(workdir)}: {error}")
    return problems


def compared_files(workdir: Path) -> list[Path]:
    """Every artifact compared: datasets, per-cell results, tables and figures."""
    keep = {".csv", ".json", ".npz", ".pt", ".png", ".pdf"}
    return sorted(p.relative_to(workdir) for p in (workdir / "results").rglob("*")
                  if p.is_file() and p.suffix in keep and ".tmp-" not in p.name)


def differences(reference: Path, workdir: Path) -> list[str]:
    """Files that differ, to the byte, between two builds."""
    ours, theirs = compared_files(workdir), compared_files(reference)
    found = [f"only in one build: {p}" for p in sorted(set(ours) ^ set(theirs))]
    found += [f"differs: {name}" for name in sorted(set(ours) & set(theirs))
              if (reference / name).read_bytes() != (workdir / name).read_bytes()]
    return found


def kill_and_compare(configfiles: list[str], kills: int, seed: int, root: Path,
                     extra_files: dict[str, str] | None = None,
                     reference: Path | Callable[[], Path] | None = None, log=print) -> dict:
    """The whole experiment; returns what happened (kills landed, problems, differences).

    `reference`: an uninterrupted build of the same config, or a function that returns
    one, called once the killed build is complete (so that both can be made at once); made
    here first if not given. The kill points are drawn uniformly over 5-90% of the build's
    jobs and sorted, each with its delay of up to MID_JOB seconds; each rerun picks up
    where the killed run left off, so round i kills once point i is reached.
    """
    rng = random.Random(seed)
    if reference is None:
        workdir = copy_workflow(root / "reference", extra_files)
        log(f"uninterrupted build: {build(workdir, configfiles):.1f}s")
        reference = workdir
    workdir = copy_workflow(root / "killed", extra_files)
    landed, problems, whole = [], [], None
    shares = sorted(rng.uniform(0.05, 0.9) for _ in range(kills))
    for round_, share in enumerate(shares):
        delay = rng.uniform(0, MID_JOB)
        hit, whole, done = killed_build(workdir, configfiles, share, delay, whole)
        landed.append(hit)
        bad = unreadable_outputs(workdir)
        problems += bad
        log(f"round {round_ + 1}: " + (f"killed {delay:.1f}s after job {done} of {whole}" if hit
                                       else f"finished before the kill planned {delay:.1f}s "
                                            f"after job {done} of {whole}")
            + f"; unreadable outputs: {len(bad)}")
    unlock(workdir)
    build_args = ["--rerun-incomplete", "--configfile", *configfiles]
    subprocess.run(snakemake_command(*build_args), cwd=workdir, check=True, capture_output=True)
    leftovers = [str(p.relative_to(workdir)) for p in (workdir / "results").rglob("*.tmp-*")]
    if callable(reference):
        reference = reference()
    found = differences(reference, workdir)
    log(f"kills landed: {sum(landed)} of {kills}; differences: {len(found)}; "
        f"temporary files left: {len(leftovers)}")
    for line in found + problems + leftovers:
        log(f"  {line}")
    return {"kills": kills, "landed": sum(landed), "unreadable": problems,
            "differences": found, "leftovers": leftovers, "compared": len(compared_files(workdir))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configfile", nargs="+", default=["workflow/presets/quick.yaml"],
                        help="config files (relative to the workflow), as for snakemake")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments")
    parser.add_argument("--keep", action="store_true", help="keep the two builds")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="rnnstudy-kill-"))
    try:
        result = kill_and_compare(args.configfile, args.kills, args.seed, root,
                                  log=lambda line: print(line, flush=True))
    finally:
        if args.keep:
            print(f"builds kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    ok = not (result["differences"] or result["unreadable"] or result["leftovers"])
    print("identical to the uninterrupted build" if ok else "NOT identical: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
