"""Run a job function with logging to the rule's log file and plain error messages."""
import logging
import sys

from ..errors import PipelineError


def run_job(main, log_path: str | None) -> None:
    """Call `main()`; a PipelineError becomes one line on stderr and exit status 1."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        main()
    except PipelineError as error:
        logging.getLogger("rnnstudy").error("%s", error)
        sys.exit(1)
