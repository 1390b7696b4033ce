"""Job: execute a figure notebook of paper/figures/ with papermill."""
import logging
import os
import tempfile
from pathlib import Path

import jupytext
import papermill

from ..atomic import atomic_path

log = logging.getLogger(__name__)


def render_figure(notebook_path: str, parameters: dict, executed_path: str) -> None:
    """Run the jupytext notebook with `parameters`; keep the executed copy (with outputs)."""
    notebook = jupytext.read(notebook_path)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / (Path(notebook_path).stem + ".ipynb")
        jupytext.write(notebook, source, fmt="ipynb")
        with atomic_path(executed_path) as out:
            papermill.execute_notebook(
                str(source), str(out), parameters=parameters, kernel_name="python3",
                cwd=os.getcwd(), progress_bar=False, log_output=True, language="python")
    log.info("executed %s with %s", notebook_path, parameters)
