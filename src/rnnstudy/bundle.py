"""A results bundle: what training and evaluation made, in one archive, restored elsewhere.

`snakemake bundle` packs the datasets, each cell's and shard's results and the tables into
`results/bundle.tar.gz` (workflow/rules/bundle.smk lists them). Its first member,
MANIFEST.json, holds the sha256 and size of every other member, the config hash, the
commit, library versions and the devices the tables were computed on.

    python -m rnnstudy.bundle restore BUNDLE [--configfile FILE ...]

unpacks it into results/ of the checkout it runs in and has Snakemake record the jobs that
made those files as done, after which `snakemake` (with the same config files) draws the
figures and writes the report without training anything, and reruns what a changed setting
touches as it would in the build that made the bundle. A bundle
is input from strangers: restore checks every member before it writes anything and refuses
the whole bundle, with one message, over a member that is not a regular file, has an
absolute path or a `..`, lies outside results/, is missing from the manifest or differs from
it, and over a bundle made with another config.
"""
import argparse
import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from .atomic import atomic_path
from .config import ConfigError, config_hash, validate_config
from .errors import PipelineError
from .provenance import COLUMNS, producers, run_provenance

FORMAT = 1
MANIFEST = "MANIFEST.json"
RESULTS = "results"
CHUNK = 1 << 20


class BundleError(PipelineError):
    """A bundle refused: nothing was restored."""


def sha256(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _producers(root: Path, files: list[str]) -> list[dict]:
    """The distinct provenances of the bundled tables' rows (rnnstudy.provenance)."""
    frames = []
    for name in files:
        if "/tables/" in name and name.endswith(".csv"):
            columns = pd.read_csv(root / name, nrows=0).columns
            if set(COLUMNS) <= set(columns):
                frames.append(pd.read_csv(root / name, usecols=list(COLUMNS), dtype=str))
    return producers(frames) if frames else []


def manifest(files: list[str], config: dict, run: dict, root: Path) -> dict:
    """The manifest of `files` (paths under `root`): how to check them and where they came
    from. `run` is the packing job's provenance (rnnstudy.provenance.run_provenance)."""
    made_by = _producers(root, files)
    hashes = {}
    for name in files:
        with open(root / name, "rb") as f:
            hashes[name] = {"sha256": sha256(f), "bytes": os.fstat(f.fileno()).st_size}
    return {
        "format": FORMAT,
        "config_hash": run["config_hash"],
        "git_commit": run["git_commit"],
        "git_dirty": run["git_dirty"],
        "versions": {**{name: run[name] for name in ("python", "torch", "snakemake")},
                     **{name: version(name) for name in ("numpy", "pandas")}},
        "devices": sorted({row["device"] for row in made_by}),
        "producers": made_by,
        "config": config,
        "files": hashes,
    }


def pack(files: list[str], bundle, config: dict, run: dict, root=".") -> dict:
    """Write `files` (paths under `root`, each under results/) and their manifest to the
    gzipped tar `bundle`, atomically; returns the manifest."""
    root = Path(root)
    files = sorted(set(files))
    for name in files:
        _check_path(name)  # a bundle that restore would refuse is a bug here
    contents = manifest(files, config, run, root)
    with atomic_path(bundle) as tmp, tarfile.open(tmp, "w:gz", dereference=True) as tar:
        text = json.dumps(contents, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(text), int(time.time()), 0o644
        tar.addfile(info, io.BytesIO(text))
        for name in files:
            info = tar.gettarinfo(root / name, arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(root / name, "rb") as f:
                tar.addfile(info, f)
    return contents


def _check_path(name: str) -> None:
    """Refuse a member path that could land anywhere but under results/."""
    parts = name.split("/")
    if name.startswith("/"):
        raise BundleError(f"member {name!r} has an absolute path")
    if ".." in parts:
        raise BundleError(f"member {name!r} has a '..' component")
    if len(parts) < 2 or parts[0] != RESULTS or "" in parts or "." in parts:
        raise BundleError(f"member {name!r} is not a plain path under {RESULTS}/")


def _check_type(member: tarfile.TarInfo) -> None:
    if member.isreg():
        return
    kind = ("symbolic link" if member.issym() else "hard link" if member.islnk()
            else "directory" if member.isdir() else "device or pipe" if member.isdev()
            else "special member")
    raise BundleError(f"member {member.name!r} is a {kind}, not a regular file")


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg():
        raise BundleError(f"its first member is not {MANIFEST}")
    try:
        contents = json.loads(tar.extractfile(first).read())
        files = contents["files"]
        valid = (contents["format"] == FORMAT and isinstance(contents["config_hash"], str)
                 and all(isinstance(entry["sha256"], str) and isinstance(entry["bytes"], int)
                         for entry in files.values()))
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise BundleError(f"its {MANIFEST} is not a format-{FORMAT} bundle manifest")
    return contents


def _differences(made: dict, here: dict, path: str = "") -> list[str]:
    """The dotted config keys whose values differ between two configs."""
    if not (isinstance(made, dict) and isinstance(here, dict)):
        return [] if made == here else [path or "(top level)"]
    return [key for name in sorted(set(made) | set(here), key=str)
            for key in _differences(made.get(name), here.get(name),
                                    f"{path}.{name}" if path else str(name))]


def _check_config(contents: dict, config: dict, described: str) -> None:
    here = config_hash(config)
    if contents["config_hash"] == here:
        return
    differing = _differences(contents.get("config"), config)
    where = (f" (they differ at {', '.join(differing[:4])}"
             f"{', …' if len(differing) > 4 else ''})") if contents.get("config") else ""
    raise BundleError(f"it was made with config {contents['config_hash']}, but {described} "
                      f"here is config {here}{where}; restore with the config files the "
                      f"bundle was made with")


def _members(tar: tarfile.TarFile, contents: dict):
    """Each member after the manifest, checked (type, path, listed once in the manifest,
    size), with its data stream; then a check that none the manifest lists is missing."""
    expected = contents["files"]
    seen = set()  # case-folded: on a case-insensitive disk, A and a are one file
    while (member := tar.next()) is not None:
        _check_path(member.name)
        _check_type(member)
        if member.name.casefold() in seen:
            raise BundleError(f"member {member.name!r} appears twice")
        if member.name not in expected:
            raise BundleError(f"member {member.name!r} is not in its {MANIFEST}")
        if member.size != expected[member.name]["bytes"]:
            raise _mismatch(member.name)
        seen.add(member.name.casefold())
        yield member.name, tar.extractfile(member)
    missing = sorted(name for name in expected if name.casefold() not in seen)
    if missing:
        raise BundleError(f"its {MANIFEST} lists {missing[0]!r}, which the bundle lacks"
                          + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))


def _mismatch(name: str) -> BundleError:
    return BundleError(f"member {name!r} does not match its sha256 in {MANIFEST}")


@contextlib.contextmanager
def _reading(bundle: Path):
    """The bundle as a stream (members in order, no seeking) and its manifest; a damaged
    archive is refused, also when the damage shows only further in."""
    if not bundle.is_file():
        raise BundleError("there is no such file")
    try:
        with tarfile.open(bundle, "r|gz") as tar:
            yield tar, _read_manifest(tar)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BundleError(f"it is not a readable gzipped tar archive ({error})") from None


def verify(bundle, config: dict, described: str = "the config") -> dict:
    """Check the whole bundle against its manifest and `config` without writing anything;
    returns the manifest. Raises BundleError."""
    with _reading(Path(bundle)) as (tar, contents):
        _check_config(contents, config, described)
        for name, data in _members(tar, contents):
            if sha256(data) != contents["files"][name]["sha256"]:
                raise _mismatch(name)
    return contents


def restore(bundle, root, config: dict, described: str = "the config") -> dict:
    """Verify `bundle` (see `verify`), then unpack it into `root`/results/: each file is
    written to a folder inside results/, checked again, given the same modification time
    (now: newer than the checkout's code, so Snakemake sees every restored output as up to
    date, and none newer than another) and renamed into place. Returns the manifest."""
    bundle, root = Path(bundle), Path(root)
    contents = verify(bundle, config, described)
    (root / RESULTS).mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=root / RESULTS))
    try:
        # Read a second time: the bundle must not have changed since it was verified.
        with _reading(bundle) as (tar, again):
            if again != contents:
                raise BundleError(f"its {MANIFEST} changed while it was restored")
            for name, data in _members(tar, contents):
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := data.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != contents["files"][name]["sha256"]:
                    raise _mismatch(name)
        now = time.time_ns()
        for name in contents["files"]:
            os.utime(staging / name, ns=(now, now))
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, root / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return contents


def workflow_config(root, configfiles=()) -> dict:
    """The config the workflow in `root` runs with: config.yaml, overlaid by `configfiles`
    merged in order, validated with the schema's defaults filled in (the Snakefile's
    `configfile:` and `--configfile`, then workflow/rules/common.smk)."""
    from snakemake.common.configfile import load_configfile
    from snakemake.utils import update_config

    root = Path(root)
    missing = [str(name) for name in configfiles if not (root / name).is_file()]
    if missing:
        raise ConfigError(f"there is no config file {missing[0]}")
    overlay = {}
    for name in configfiles:
        update_config(overlay, load_configfile(str(root / name)))
    config = load_configfile(str(root / "config.yaml"))
    update_config(config, overlay)
    return validate_config(config, root / "workflow" / "schemas" / "config.schema.yaml")


def record_command(configfiles) -> list[str]:
    """Snakemake, asked to record every job upstream of rule `bundle` as done, running none
    (`--touch`): its metadata then holds each restored file's params, code and inputs, as
    after the build that made them. Without it a changed setting would rerun nothing that
    made a restored file (Snakemake reruns on params only for jobs it has records of)."""
    options = ["--configfile", *map(str, configfiles)] if configfiles else []
    return [sys.executable, "-m", "snakemake", "bundle", "--touch", "--forceall",
            "--omit-from", "bundle", "--cores", "1", *options]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnstudy.bundle", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("restore", help="verify a bundle, then unpack it into "
                                  "results/ of the workflow in the current directory")
    command.add_argument("bundle", type=Path, help="a bundle made by `snakemake bundle`")
    command.add_argument("--configfile", nargs="+", action="extend", default=[],
                         help="the config files the bundle was made with, as for snakemake")
    args = parser.parse_args(argv)
    root = Path.cwd()
    described = " + ".join(["config.yaml", *args.configfile])
    try:
        config = workflow_config(root, args.configfile)
        contents = restore(args.bundle, root, config, described)
    except BundleError as error:
        print(f"Error: refused {args.bundle}: {error}; nothing was restored", file=sys.stderr)
        return 1
    except PipelineError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    files = contents["files"]
    size = sum(entry["bytes"] for entry in files.values()) / 1e6
    print(f"restored {len(files)} files ({size:.1f} MB) into {RESULTS}/: config "
          f"{contents['config_hash']}, packed at commit {contents.get('git_commit')}")
    commit = run_provenance(config, root)["git_commit"]
    if contents.get("git_commit") != commit:
        print(f"note: this checkout is at commit {commit}; Snakemake takes the restored "
              f"results as this code's")
    record = record_command(args.configfile)
    recorded = subprocess.run(record, cwd=root, capture_output=True, text=True)
    if recorded.returncode != 0:
        print(f"Error: Snakemake did not record the restored files:\n{recorded.stderr[-2000:]}"
              f"\nrun `{' '.join(record)}` here before changing a setting", file=sys.stderr)
        return 1
    options = "".join(f" --configfile {name}" for name in args.configfile)
    print(f"recorded in Snakemake's metadata; now `snakemake{options}` draws the figures and "
          f"writes the report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
