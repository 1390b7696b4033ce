"""Job: execute a figure notebook of paper/figures/ with papermill."""
import logging
import os
import tempfile
from pathlib import Path

import jupytext
import papermill
from jupyter_client import AsyncKernelManager

from ..atomic import atomic_path

log = logging.getLogger(__name__)


def render_figure(*, notebook: str, tables: list[str], png: str, pdf: str, executed: str,
                  params: dict) -> None:
    """Run the jupytext notebook with params["parameters"], its tables (in the order of
    params["tables"]) and output paths; keep the executed copy (with outputs)."""
    parameters = {**params["parameters"], "png": png, "pdf": pdf,
                  "tables": dict(zip(params["tables"], tables, strict=True))}
    execute_notebook(notebook, parameters, executed)


def ipc_kernel_manager(folder: str) -> type[AsyncKernelManager]:
    """Kernels talking over Unix sockets in `folder` (short, so the sockets' paths stay under
    the OS's limit). Over TCP, the default, ports are picked free and only then bound by
    the kernel, so two figure jobs starting at once can pick the same port and one kernel
    dies at start ("Kernel died before replying to kernel_info", seen in a parallel build)."""
    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", connection_file=str(Path(folder) / "kernel.json"),
                             **kwargs)

    return IpcKernelManager


def execute_notebook(notebook_path: str, parameters: dict, executed_path: str) -> None:
    notebook = jupytext.read(notebook_path)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / (Path(notebook_path).stem + ".ipynb")
        jupytext.write(notebook, source, fmt="ipynb")
        with atomic_path(executed_path) as out:
            papermill.execute_notebook(
                str(source), str(out), parameters=parameters, kernel_name="python3",
                cwd=os.getcwd(), progress_bar=False, log_output=True, language="python",
                kernel_manager_class=ipc_kernel_manager(tmp))
    log.info("executed %s with %s", notebook_path, parameters)
