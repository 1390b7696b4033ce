"""The results bundle: pack, then restore only what passes every check.

A bundle is input from strangers: each refusal is tested on a bundle forged by hand, and
must leave the checkout exactly as it was. Then the real thing: `snakemake bundle` on the
smoke build, restored into a fresh copy of the workflow, where Snakemake plans no training
and the downstream jobs rebuild the same numbers.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pandas as pd
import pytest

from rnnstudy import grid
from rnnstudy.bundle import MANIFEST, BundleError, pack, restore, workflow_config
from rnnstudy.config import config_hash
from rnnstudy.experiments import configured
from rnnstudy.provenance import COLUMNS, run_provenance

from conftest import ROOT, SMOKE, changed, planned, smoke_config, snakemake, snapshot
from kill_anywhere import copy_workflow

CONFIG = {"seed": 1, "training": {"max_epochs": 3}}


def table(devices: list[str]) -> bytes:
    frame = pd.DataFrame({"val_acc": [0.5] * len(devices)})
    provenance = {c: ["x"] * len(devices) for c in COLUMNS}
    return frame.assign(**{**provenance, "device": devices}).to_csv(index=False).encode()


FILES = {
    "results/data/first.npz": os.urandom(3000),
    "results/runs/e1_trainability/first-gru-i2-h2/weights.pt": os.urandom(70000),
    "results/tables/e1_trainability.csv": table(["cpu", "cpu"]),
    "results/tables/e5_landscape_histogram.csv": table(["cuda"]),
}


def tree(root: Path) -> dict:
    """Every path under `root`, folders included, with its size and modification time."""
    return {str(p.relative_to(root)): (p.is_dir(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*")}


def packed(tmp_path) -> Path:
    source = tmp_path / "source"
    for name, data in FILES.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    (source / "results" / "figures").mkdir()
    (source / "results" / "figures" / "f.png").write_bytes(b"not bundled")
    bundle = tmp_path / "bundle.tar.gz"
    pack(list(FILES), bundle, CONFIG, run_provenance(CONFIG, source), root=source)
    return bundle


def test_a_bundle_round_trips_with_its_manifest(tmp_path):
    bundle = packed(tmp_path)
    with tarfile.open(bundle) as tar:
        assert tar.getnames() == [MANIFEST, *sorted(FILES)]
        manifest = json.load(tar.extractfile(MANIFEST))
    assert manifest["format"] == 1 and manifest["config_hash"] == config_hash(CONFIG)
    assert manifest["config"] == CONFIG
    assert manifest["files"] == {name: {"sha256": hashlib.sha256(data).hexdigest(),
                                        "bytes": len(data)} for name, data in FILES.items()}
    assert manifest["devices"] == ["cpu", "cuda"]  # from the tables' provenance columns
    assert sum(p["rows"] for p in manifest["producers"]) == 3
    assert {"python", "torch", "snakemake", "numpy", "pandas"} <= set(manifest["versions"])

    target = tmp_path / "checkout"
    (target / "results" / "data").mkdir(parents=True)
    (target / "results" / "data" / "first.npz").write_bytes(b"an older build's file")
    started = time.time_ns()
    assert restore(bundle, target, CONFIG) == manifest
    restored = {str(p.relative_to(target)): p for p in target.rglob("*") if p.is_file()}
    assert set(restored) == set(FILES)  # the older file replaced, no folder left behind
    assert all(restored[name].read_bytes() == data for name, data in FILES.items())
    assert sorted(os.listdir(target / "results")) == ["data", "runs", "tables"]
    # One modification time for all, now: newer than the checkout's code, none newer than
    # another, so Snakemake's mtime trigger reruns none of the jobs that made them.
    mtimes = {p.stat().st_mtime_ns for p in restored.values()}
    assert len(mtimes) == 1 and mtimes.pop() >= started


def forge(path: Path, members: list, listed: dict[str, bytes] | None = None,
          manifest_first: bool = True) -> Path:
    """A bundle made by hand. `members`: (name, data) for a file, or a TarInfo for any other
    member; the manifest describes `listed` (default: the files among `members`)."""
    files = {m[0]: m[1] for m in members if isinstance(m, tuple)}
    manifest = {"format": 1, "config_hash": config_hash(CONFIG), "config": CONFIG,
                "files": {name: {"sha256": hashlib.sha256(data).hexdigest(),
                                 "bytes": len(data)}
                          for name, data in (files if listed is None else listed).items()}}
    text = json.dumps(manifest).encode()
    entries = [(MANIFEST, text), *members]
    if not manifest_first:
        entries = entries[1:] + entries[:1]
    with tarfile.open(path, "w:gz") as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
    return path


def special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


GOOD = ("results/tables/e1_trainability.csv", FILES["results/tables/e1_trainability.csv"])
UPPER = "results/tables/E1_trainability.csv"


def refusals(tmp_path: Path) -> dict[str, tuple[list, dict, str]]:
    """Name → (members, forge's other arguments, the refusal's message)."""
    outside = tmp_path / "outside.txt"
    tampered = GOOD[1].replace(b"0.5", b"0.9")
    return {
        "absolute path": ([GOOD, (str(outside), b"x")], {},
                          f"member '{outside}' has an absolute path"),
        "dot-dot": ([GOOD, ("results/../../outside.txt", b"x")], {},
                    "member 'results/../../outside.txt' has a '..' component"),
        "outside results": ([GOOD, ("notes/x.txt", b"x")], {},
                            "member 'notes/x.txt' is not a plain path under results/"),
        "results prefix": ([GOOD, ("results2/x.txt", b"x")], {},
                           "member 'results2/x.txt' is not a plain path under results/"),
        "symbolic link": ([GOOD, special("results/link", tarfile.SYMTYPE, "/etc/passwd")], {},
                          "member 'results/link' is a symbolic link, not a regular file"),
        "hard link": ([GOOD, special("results/hard", tarfile.LNKTYPE, GOOD[0])], {},
                      "member 'results/hard' is a hard link, not a regular file"),
        "device": ([GOOD, special("results/tty", tarfile.CHRTYPE)], {},
                   "member 'results/tty' is a device or pipe, not a regular file"),
        "directory": ([GOOD, special("results/runs", tarfile.DIRTYPE)], {},
                      "member 'results/runs' is a directory, not a regular file"),
        "tampered file": ([(GOOD[0], tampered)], {"listed": dict([GOOD])},
                          f"member '{GOOD[0]}' does not match its sha256 in MANIFEST.json"),
        "file of another size": ([(GOOD[0], GOOD[1] + b"\n")], {"listed": dict([GOOD])},
                                 f"member '{GOOD[0]}' does not match its sha256 in "
                                 "MANIFEST.json"),
        "member not listed": ([GOOD, ("results/extra.csv", b"x")], {"listed": dict([GOOD])},
                              "member 'results/extra.csv' is not in its MANIFEST.json"),
        "listed member missing": ([GOOD], {"listed": dict([GOOD, ("results/gone.csv", b"")])},
                                  "its MANIFEST.json lists 'results/gone.csv', which the "
                                  "bundle lacks"),
        "member twice": ([GOOD, GOOD], {}, f"member '{GOOD[0]}' appears twice"),
        # one file on a case-insensitive disk (macOS, Windows)
        "member twice by case": ([GOOD, (UPPER, GOOD[1])],
                                 {"listed": dict([GOOD, (UPPER, GOOD[1])])},
                                 f"member '{UPPER}' appears twice"),
        "manifest not first": ([GOOD], {"manifest_first": False},
                               "its first member is not MANIFEST.json"),
    }


@pytest.mark.parametrize("case", list(refusals(Path("/tmp"))))
def test_a_bad_bundle_is_refused_and_nothing_is_written(tmp_path, case):
    members, options, message = refusals(tmp_path)[case]
    bundle = forge(tmp_path / "bad.tar.gz", members, **options)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    before = tree(tmp_path)
    with pytest.raises(BundleError) as refused:
        restore(bundle, checkout, CONFIG)
    assert str(refused.value) == message
    assert tree(tmp_path) == before  # no results/ created, nothing outside it either


def test_a_bundle_of_another_config_is_refused_naming_both(tmp_path):
    bundle = packed(tmp_path)
    before = tree(tmp_path)
    other = {"seed": 1, "training": {"max_epochs": 30}}
    with pytest.raises(BundleError) as refused:
        restore(bundle, tmp_path / "checkout", other, "config.yaml + mine.yaml")
    assert str(refused.value) == (
        f"it was made with config {config_hash(CONFIG)}, but config.yaml + mine.yaml here is "
        f"config {config_hash(other)} (they differ at training.max_epochs); restore with the "
        f"config files the bundle was made with")
    assert tree(tmp_path) == before


def test_what_is_not_a_bundle_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(BundleError, match="^it is not a readable gzipped tar archive"):
        restore(tmp_path / "notes.txt", tmp_path, CONFIG)
    with pytest.raises(BundleError, match="^there is no such file$"):
        restore(tmp_path / "none.tar.gz", tmp_path, CONFIG)
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_the_restore_config_is_the_workflows(tmp_path):
    """config.yaml, the config files merged over it in order, validated with defaults."""
    assert config_hash(workflow_config(ROOT, [SMOKE])) == config_hash(smoke_config())
    (tmp_path / "more.yaml").write_text("experiments:\n  e1_trainability:\n    inits: 7\n")
    config = workflow_config(ROOT, [SMOKE, tmp_path / "more.yaml"])
    assert config["experiments"]["e1_trainability"]["inits"] == 7
    assert config["experiments"]["e1_trainability"]["hidden_dims"] == [2]  # the preset's


# -- the real thing -------------------------------------------------------------------------

SMOKE_CONFIG = smoke_config()
# Every rule that trains or evaluates: a restored bundle leaves none of them to run.
TRAINING_RULES = {"dataset", "corpus", "fetch_corpus", "train", "aggregate"} | {
    name for e in configured(SMOKE_CONFIG) for name in (e.id, f"{e.id}_shard")}


def restore_command(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m rnnstudy.bundle restore` in `workdir`, on the workflow copy's own code."""
    return subprocess.run([sys.executable, "-m", "rnnstudy.bundle", "restore", *args],
                          cwd=workdir, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(workdir / "src")})


def test_a_restored_bundle_rebuilds_the_report_without_training(build, tmp_path):
    snakemake(build, "bundle", "--configfile", SMOKE)
    bundle = build / "results" / "bundle.tar.gz"
    with tarfile.open(bundle) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    # Everything training and evaluation made, and nothing else (no figure, log, report).
    made = {str(p.relative_to(build)) for kind in ("data", "runs", "tables")
            for p in (build / "results" / kind).rglob("*") if p.is_file()}
    assert set(manifest["files"]) == made - {"results/tables/numbers.json"}
    tables = pd.concat(pd.read_csv(build / name, dtype=str) for name in manifest["files"]
                       if "/tables/" in name)
    assert set(tables["config_hash"]) == {manifest["config_hash"]}
    assert manifest["devices"] == sorted(set(tables["device"]))

    fresh = copy_workflow(tmp_path / "fresh")
    # Without the preset the config is another: refused, naming both hashes.
    refused = restore_command(fresh, str(bundle))
    assert refused.returncode == 1 and not (fresh / "results").exists()
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith(
        f"Error: refused {bundle}: it was made with config {manifest['config_hash']}, but "
        f"config.yaml here is config {config_hash(workflow_config(fresh))} (they differ at ")
    done = restore_command(fresh, str(bundle), "--configfile", SMOKE)
    assert done.returncode == 0, done.stderr

    plan = planned(fresh)
    assert not TRAINING_RULES & set(plan), plan
    figures = grid.figures(SMOKE_CONFIG)
    assert plan["figure"] == len(figures) and plan["numbers"] == plan["report"] == 1
    # Snakemake has records of the restored files' jobs: a changed training setting retrains
    # every training cell, as it would in the build that made the bundle.
    (fresh / "more.yaml").write_text("training: {max_epochs: 4}\n")
    assert planned(fresh, "more.yaml")["train"] == len(grid.training_cells(SMOKE_CONFIG))
    # Run the numbers and one figure (every figure would add a minute and a half): the
    # restored files stay untouched and the numbers are the original build's, to the byte.
    before = snapshot(fresh)
    snakemake(fresh, "results/tables/numbers.json", "results/figures/e1_trainability_first.png",
              "--configfile", SMOKE)
    written = changed(before, snapshot(fresh))
    assert not written & set(manifest["files"])
    assert {"results/tables/numbers.json", "results/figures/e1_trainability_first.png"} <= written
    assert all(p.startswith(("results/tables/numbers.json", "results/figures/",
                             "results/notebooks/", "results/logs/")) for p in written), written
    numbers = "results/tables/numbers.json"
    assert (fresh / numbers).read_bytes() == (build / numbers).read_bytes()
