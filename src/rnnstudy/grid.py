"""The jobs of a config: a pure function of the validated config and the registry.

The workflow asks this module which datasets, training cells, shards, tables and figures
exist and what parameters each job gets; it never re-derives them.
"""
from dataclasses import dataclass

from .config import validate_config
from .data.text_file import corpus_settings as _corpus_settings
from .experiments import BY_ID, SELECTION, SHARDED, Experiment, Figure, configured, shapes


@dataclass(frozen=True)
class TrainingCell:
    """One training job: every init of one (experiment, task, model, shape), as a population."""
    experiment: str
    task: str
    model: str
    input_dim: int
    hidden_dim: int
    inits: int

    @property
    def name(self) -> str:
        return f"{self.task}-{self.model}-i{self.input_dim}-h{self.hidden_dim}"

    @property
    def key(self) -> str:
        return f"{self.experiment}/{self.name}"


@dataclass(frozen=True)
class Shard:
    """One shard job of a sharded experiment: its name (unique within the experiment) and
    what its job needs."""
    experiment: str
    name: str
    params: dict

    @property
    def key(self) -> str:
        return f"{self.experiment}/{self.name}"


def tasks_of(section: dict) -> list[str]:
    return section["tasks"] if "tasks" in section else [section["task"]]


def training_experiments(config: dict) -> list[str]:
    """The configured experiments that train (each has training tables of its own)."""
    return [e.id for e in configured(config) if e.trains]


def training_cells(config: dict) -> list[TrainingCell]:
    cells = []
    for experiment in configured(config):
        if not experiment.trains:
            continue
        section = config["experiments"][experiment.id]
        inits = section["candidates"] if experiment.kind == SELECTION else section["inits"]
        cells += [TrainingCell(experiment.id, task, model, input_dim, hidden_dim, inits)
                  for task in tasks_of(section) for model in section["models"]
                  for input_dim, hidden_dim in shapes(section)]
    return cells


def cells_of(config: dict, experiment: str) -> list[TrainingCell]:
    return [cell for cell in training_cells(config) if cell.experiment == experiment]


def shards(config: dict) -> list[Shard]:
    """The shards of every sharded experiment, as its registry entry lists them."""
    return [Shard(experiment.id, name, params) for experiment in configured(config)
            if experiment.kind == SHARDED for name, params in experiment.shards(config)]


def shards_of(config: dict, experiment: str) -> list[Shard]:
    return [shard for shard in shards(config) if shard.experiment == experiment]


def tasks(config: dict) -> list[str]:
    """The datasets some job needs."""
    needed = {cell.task for cell in training_cells(config)}
    for experiment in configured(config):
        if "dataset" in experiment.reads:
            needed.update(tasks_of(config["experiments"][experiment.id]))
    return sorted(needed)


def corpus_settings(config: dict) -> dict:
    """The corpus rule's params (data/text_file.corpus_settings, which refuses a bad
    corpus file when the workflow starts)."""
    return _corpus_settings(config)


def dataset_params(config: dict, task: str) -> dict:
    return {"task": task, "seed": config["seed"], **config["data"]}


def training_settings(config: dict, experiment: str) -> dict:
    """The top-level training settings with the experiment's own overrides applied."""
    return {**config["training"], **config["experiments"][experiment].get("training", {})}


def cell_params(config: dict, cell: TrainingCell, experiment: Experiment) -> dict:
    """Everything a training job's result depends on, besides its dataset file."""
    return {
        "experiment": cell.experiment, "task": cell.task, "model": cell.model,
        "input_dim": cell.input_dim, "hidden_dim": cell.hidden_dim, "inits": cell.inits,
        "embedding": config["model"]["embedding"],
        "training": training_settings(config, cell.experiment),
        "keep_trajectory": experiment.keeps_trajectory, **machine_params(config, experiment),
    }


def machine_params(config: dict, experiment: Experiment) -> dict:
    """What every job of `experiment` that computes needs of the config besides its science:
    the seed, device, dtype, and the cells' kernels where its jobs run them."""
    kernels = {"kernels": config["kernels"]} if experiment.kernels else {}
    return {"seed": config["seed"], "device": config["device"], "dtype": config["dtype"],
            **kernels}


def shard_params(config: dict, shard: Shard) -> dict:
    return {**shard.params, **machine_params(config, BY_ID[shard.experiment])}


def job_params(config: dict, experiment: Experiment) -> dict:
    """What an experiment's job needs besides its input files: for a selection experiment
    its cells' identities (in the order of its inputs) and threshold, then its own params."""
    section = config["experiments"][experiment.id]
    params = {}
    if experiment.kind == SELECTION:
        params = {"cells": [vars(cell) for cell in cells_of(config, experiment.id)],
                  "min_val_acc": section["min_val_acc"]}
    if experiment.kind == SHARDED and "task" in section:
        params = {"task": section["task"]}
    params.update(machine_params(config, experiment))
    return {**params, **experiment.params(config)}


def figures(config: dict) -> list[Figure]:
    """Figures, each with the tables it draws and the notebook parameters that change it."""
    return [figure for experiment in configured(config)
            for figure in experiment.figures(config["experiments"][experiment.id],
                                             config["report"])]


def tables(config: dict, epochs: bool = True) -> list[str]:
    """Every table under results/tables/ (without .csv) the config makes; `epochs=False`
    leaves out the per-epoch training tables."""
    return [name for experiment in configured(config)
            for name in experiment.table_names(epochs)]


@dataclass(frozen=True)
class Plan:
    """What the workflow builds for one config: read once, when Snakemake starts."""
    experiments: list[Experiment]
    cells: dict[str, TrainingCell]  # by key
    shards: dict[str, Shard]  # by key
    job_params: dict[str, dict]  # by experiment id
    tables: list[str]
    figures: dict[str, Figure]  # by name
    tasks: list[str]
    corpus: dict


def plan(config: dict, schema_path) -> Plan:
    """Validate `config` (filling in defaults, in place) and derive every job from it.

    The Snakefile calls this before anything runs, so every config error, whether the
    schema's or one that only the grid finds (a budget below one unit, a bad corpus file),
    is raised here as one ConfigError naming the key; the tests call it the same way.
    """
    validate_config(config, schema_path)
    experiments = configured(config)
    return Plan(
        experiments=experiments,
        cells={cell.key: cell for cell in training_cells(config)},
        shards={shard.key: shard for shard in shards(config)},
        job_params={e.id: job_params(config, e) for e in experiments},
        tables=tables(config),
        figures={figure.name: figure for figure in figures(config)},
        tasks=tasks(config),
        corpus=corpus_settings(config))
