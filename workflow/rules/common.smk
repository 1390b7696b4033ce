# Validate the config, then ask the grid (src/rnnstudy/grid.py) what exists.
import sys

from rnnstudy import grid
from rnnstudy.config import ConfigError, validate_config

try:
    validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))
except ConfigError as error:
    # One plain message, before any job runs.
    print(f"Error: {error}", file=sys.stderr)
    sys.exit(1)

EXPERIMENTS = grid.experiments(config)
CELLS = {cell.key: cell for cell in grid.training_cells(config)}
FIGURES = {figure.name: figure for figure in grid.figures(config)}
TASKS = grid.tasks(config)


wildcard_constraints:
    task="|".join(TASKS) or "none",
    experiment="|".join(EXPERIMENTS) or "none",
    cell=r"[a-z]+-[a-z_]+-i\d+-h\d+",
    figure="|".join(FIGURES) or "none",


def cell_of(wildcards):
    return CELLS[f"{wildcards.experiment}/{wildcards.cell}"]


def cells_of(experiment):
    return [cell for cell in CELLS.values() if cell.experiment == experiment]
