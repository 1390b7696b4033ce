"""Run a job function for a Snakemake rule: named inputs, outputs and params in, one way.

Every rule runs `workflow/scripts/job.py`, which calls `run_rule(snakemake)`. The rule names
the function (`params.job`, "module:function") and its params (`params.params`); the
function takes keyword arguments named after the rule's named inputs and outputs, plus
`params`, and any of `run` (the run's provenance), `threads` and `checkpoint` (the config's
checkpoint settings, which change no result) it declares. Input `code` (the source files
the job runs, see rnnstudy.code) is for Snakemake only. So a job function is a plain
function of paths and values: tests call it directly, without Snakemake.

Every job runs inside its GPU slot (`gpu_slots.gpu_slot`: a no-op for jobs that ask for no
GPU). Importing torch before that is fine: CUDA reads CUDA_VISIBLE_DEVICES when a job first
uses it (device.resolve_device, inside the job function), not at import.
"""
import importlib
import inspect
import logging
import signal
import sys
from pathlib import Path

from ..errors import PipelineError
from ..gpu_slots import gpu_slot
from ..memory import keep_freed_memory
from ..provenance import run_provenance

CODE_INPUT = "code"


def job_function(target: str):
    """The function named by 'module:function'."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _named(files) -> dict:
    """A Snakemake Namedlist's named entries; lists stay lists."""
    return {name: (list(value) if isinstance(value, list) else value)
            for name, value in files.items()}


def job_arguments(function, inputs: dict, outputs: dict, params: dict, settings: dict) -> dict:
    """The keyword arguments of `function`: inputs, outputs, params, and the run settings
    (`run`, `threads`, `checkpoint`) it declares."""
    clash = set(inputs) & set(outputs)
    if clash:
        raise ValueError(f"inputs and outputs share the names {sorted(clash)}")
    accepted = inspect.signature(function).parameters
    arguments = {**inputs, **outputs, "params": params,
                 **{k: v for k, v in settings.items() if k in accepted}}
    unknown = set(arguments) - set(accepted)
    missing = {n for n, p in accepted.items()
               if p.default is inspect.Parameter.empty and n not in arguments}
    if unknown or missing:
        raise TypeError(f"{function.__module__}.{function.__name__} does not fit its rule: "
                        f"unexpected {sorted(unknown)}, missing {sorted(missing)}")
    return arguments


def exit_on_sigterm(signum, frame):
    """SIGTERM (scancel, a SLURM time limit, Snakemake cancelling its jobs) ends the job as an
    exception would: the `finally` of every atomic write runs, so no temporary file stays
    behind (Python's default is to die at once)."""
    raise SystemExit(128 + signum)


def run_rule(snakemake) -> None:
    """Call the rule's job function; a PipelineError becomes one line on stderr and exit
    status 1. `snakemake` is the object Snakemake gives a script."""
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    keep_freed_memory()
    function = job_function(snakemake.params.job)
    inputs = {k: v for k, v in _named(snakemake.input).items() if k != CODE_INPUT}
    try:
        with gpu_slot(snakemake.resources.get("gpu", 0)):
            settings = {"run": run_provenance(snakemake.config, Path(snakemake.scriptdir)),
                        "threads": snakemake.threads,
                        "checkpoint": snakemake.config.get("checkpoint")}
            function(**job_arguments(function, inputs, _named(snakemake.output),
                                     dict(snakemake.params.params), settings))
    except PipelineError as error:
        logging.getLogger("rnnstudy").error("%s", error)
        sys.exit(1)
