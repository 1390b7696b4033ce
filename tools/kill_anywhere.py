"""Kill a build at random moments, rerun it, and compare the result with an uninterrupted one.

    python tools/kill_anywhere.py --kills 5            # the quick preset, in a temporary dir
    python tools/kill_anywhere.py --configfile workflow/presets/smoke.yaml --kills 3

Each round starts `snakemake --rerun-incomplete` on a copy of the workflow and SIGKILLs its
whole process group (Snakemake and its jobs) at a random moment; after every kill no output
file may be partial or unreadable. At the end the build is completed and every table,
per-cell result, dataset and figure is compared with an uninterrupted build.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
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


def killed_build(workdir: Path, configfiles: list[str], after: float) -> bool:
    """Start a (re)build and SIGKILL it after `after` seconds; True if the kill landed."""
    unlock(workdir)
    command = snakemake_command("--rerun-incomplete", "--configfile", *configfiles)
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=after)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


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
                     reference: tuple[Path, float] | None = None, log=print) -> dict:
    """The whole experiment; returns what happened (kills landed, problems, differences).

    `reference`: an uninterrupted build of the same config and its wall time (made here if
    not given). The kill moments are drawn uniformly over 5-90% of that time and sorted;
    each rerun picks up where the killed run left off, so round i kills its rerun after
    the gap between moments i-1 and i, and every kill lands before the build could end
    (a rerun also redoes the killed jobs and starts Snakemake again).
    """
    rng = random.Random(seed)
    if reference is None:
        workdir = copy_workflow(root / "reference", extra_files)
        reference = (workdir, build(workdir, configfiles))
        log(f"uninterrupted build: {reference[1]:.1f}s")
    reference, duration = reference
    workdir = copy_workflow(root / "killed", extra_files)
    landed, problems = [], []
    moments = sorted(rng.uniform(0.05, 0.9) * duration for _ in range(kills))
    for round_, (before, moment) in enumerate(zip([0.0] + moments, moments)):
        after = moment - before
        hit = killed_build(workdir, configfiles, after)
        landed.append(hit)
        bad = unreadable_outputs(workdir)
        problems += bad
        log(f"round {round_ + 1}: " + (f"killed after {after:.1f}s" if hit else
                                       f"finished before the kill planned at {after:.1f}s")
            + f"; unreadable outputs: {len(bad)}")
    unlock(workdir)
    build_args = ["--rerun-incomplete", "--configfile", *configfiles]
    subprocess.run(snakemake_command(*build_args), cwd=workdir, check=True, capture_output=True)
    leftovers = [str(p.relative_to(workdir)) for p in (workdir / "results").rglob("*.tmp-*")]
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
