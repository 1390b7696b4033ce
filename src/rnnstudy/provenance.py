"""Where a result came from: code version, config, library versions."""
from importlib.metadata import PackageNotFoundError, version
import platform
import subprocess

from .config import config_hash


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def provenance(config: dict) -> dict:
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": commit or "unknown",
        "git_dirty": None if status is None else bool(status),
        "config_hash": config_hash(config),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "snakemake": _version("snakemake"),
        "numpy": _version("numpy"),
        "pandas": _version("pandas"),
    }
