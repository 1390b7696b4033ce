"""Run a job function with logging to the rule's log file and plain error messages.

Every job runs inside its GPU slot (`gpu_slots.gpu_slot`: a no-op for jobs that ask for no
GPU). Importing torch before that is fine: CUDA reads CUDA_VISIBLE_DEVICES when a job
first uses it (device.resolve_device, inside the job function), not at import.
"""
import logging
import sys
from pathlib import Path

from ..errors import PipelineError
from ..gpu_slots import gpu_slot
from ..memory import keep_freed_memory
from ..provenance import run_provenance


def run_job(main, snakemake) -> None:
    """Call `main(run)` with the run's provenance, pinned to the GPU(s) the job's `gpu`
    resource asks for; a PipelineError becomes one line on stderr and exit status 1.
    `snakemake` is the object Snakemake gives a script."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    keep_freed_memory()
    try:
        with gpu_slot(snakemake.resources.get("gpu", 0)):
            main(run_provenance(snakemake.config, Path(snakemake.scriptdir)))
    except PipelineError as error:
        logging.getLogger("rnnstudy").error("%s", error)
        sys.exit(1)
