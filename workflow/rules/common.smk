# Validate the config, then ask the grid (src/rnnstudy/grid.py) what exists.
import sys

from rnnstudy import grid
from rnnstudy.config import ConfigError, validate_config
from rnnstudy.gpu_slots import requested_gpus

try:
    validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))
except ConfigError as error:
    # One plain message, before any job runs.
    print(f"Error: {error}", file=sys.stderr)
    sys.exit(1)

EXPERIMENTS = grid.training_experiments(config)  # each has a training table of its own
CELLS = {cell.key: cell for cell in grid.training_cells(config)}
SHARDS = {shard.name: shard for shard in grid.landscape_shards(config)}
TABLES = grid.tables(config)
FIGURES = {figure.name: figure for figure in grid.figures(config)}
TASKS = grid.tasks(config)
# The `gpu` resource of a job that runs torch on the config's device: 1 for `cuda`.
GPUS = requested_gpus(config["device"])


wildcard_constraints:
    task="|".join(TASKS) or "none",
    experiment="|".join(EXPERIMENTS) or "none",
    cell=r"[a-z]+-[a-z_]+-i\d+-h\d+",
    figure="|".join(FIGURES) or "none",
    shard=r"[a-z_]+-i\d+-h\d+/shard\d+",


def cell_of(wildcards):
    return CELLS[f"{wildcards.experiment}/{wildcards.cell}"]


def cells_of(experiment):
    return grid.cells_of(config, experiment)
