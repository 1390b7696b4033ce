"""Build the fused kernels (population_rnn.cpp) once per machine and load them.

torch.utils.cpp_extension compiles the source with the host compiler for this CPU
(-march=native), into a cache directory named by a hash of everything that makes the
binary: the source, the flags, torch's and Python's versions and the CPU's model and
feature flags. A later process on the same machine finds the library there and imports
it directly (milliseconds); a new source, torch, Python or CPU builds anew. Processes that
start together share one build (cpp_extension's lock file in the directory).
"""
import hashlib
import importlib.util
import logging
import os
import platform
import sys
import time
from pathlib import Path

import torch

log = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("population_rnn.cpp")
CFLAGS = ["-O3", "-march=native", "-fno-math-errno", "-fopenmp-simd"]
# glibc's vector exp (libmvec), which the source declares for its vectorized loops.
LDFLAGS = ["-lmvec"] if platform.machine() == "x86_64" and platform.libc_ver()[0] == "glibc" \
    else []


def cache_root() -> Path:
    """$RNNSTUDY_CACHE, else $XDG_CACHE_HOME/rnnstudy, else ~/.cache/rnnstudy."""
    if os.environ.get("RNNSTUDY_CACHE"):
        return Path(os.environ["RNNSTUDY_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnnstudy"


def _cpu() -> str:
    """The CPU's model name and feature flags (what -march=native compiles for)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    keep = [line for line in lines if line.startswith(("model name", "flags"))]
    return "\n".join(sorted(set(keep)))


def build_key() -> str:
    parts = [SOURCE.read_bytes().decode(), " ".join(CFLAGS + LDFLAGS), torch.__version__,
             sys.version, _cpu()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def load_kernels():
    """The compiled module (built here first if this machine has none yet)."""
    key = build_key()
    name = f"rnnstudy_fused_{key}"
    directory = cache_root() / "fused" / key
    library = directory / f"{name}.so"  # cpp_extension's name for it
    if library.exists() and not (directory / "lock").exists():
        spec = importlib.util.spec_from_file_location(name, library)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    from torch.utils import cpp_extension  # imports setuptools: only when building

    directory.mkdir(parents=True, exist_ok=True)
    # cpp_extension runs `ninja` from PATH: the one pip installed beside this interpreter
    # (the `ninja` dependency) is found even when the environment is not activated.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    started = time.perf_counter()
    other = (directory / "lock").exists()  # another process is building them: we wait
    module = cpp_extension.load(name, [str(SOURCE)], extra_cflags=CFLAGS,
                                extra_ldflags=LDFLAGS, build_directory=str(directory))
    log.info("%s the fused recurrent kernels in %.1f s, cached in %s",
             "waited for another process's build of" if other else "built",
             time.perf_counter() - started, directory)
    return module
