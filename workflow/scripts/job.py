# The one script every rule runs: it calls the job function the rule names (see
# rnnstudy.jobs.runner). The workflow's own src/ comes first on the path, also for the
# notebooks' kernels, so a copy of the workflow runs its own code.
import os
import sys
from pathlib import Path

SRC = str(Path(snakemake.scriptdir).resolve().parents[1] / "src")  # noqa: F821
sys.path.insert(0, SRC)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))

from rnnstudy.jobs.runner import run_rule  # noqa: E402

run_rule(snakemake)  # noqa: F821
