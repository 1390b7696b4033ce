# Validate the config and ask the registry and the grid (src/rnnstudy/experiments.py,
# grid.py) what exists, in one call (grid.plan); the input functions of every rule are here.
import os
import sys
from pathlib import Path

# The workflow's own package first: a copy of the workflow runs, and tracks, its own code.
SRC = Path(workflow.basedir) / "src"
sys.path.insert(0, str(SRC))

from rnnstudy import grid
from rnnstudy.code import module_files, script_files
from rnnstudy.config import ConfigError
from rnnstudy.data.text_file import DOWNLOAD as CORPUS_DOWNLOAD, corpus_file
from rnnstudy.experiments import BY_ID, SELECTION, SHARDED
from rnnstudy.gpu_slots import requested_gpus

try:
    PLAN = grid.plan(config, workflow.source_path("../schemas/config.schema.yaml"))
except ConfigError as error:
    # One plain message, before any job runs.
    print(f"Error: {error}", file=sys.stderr)
    sys.exit(1)
EXPERIMENTS = PLAN.experiments
CELLS = PLAN.cells
SHARDS = PLAN.shards
JOB_PARAMS = PLAN.job_params
TABLES = PLAN.tables
FIGURES = PLAN.figures
TASKS = PLAN.tasks
CORPUS = PLAN.corpus
# robustness.embedding: the training experiments again with the other word vectors.
OTHER_EMBEDDING = {"learned": "fixed", "fixed": "learned"}[config["model"]["embedding"]]
ROBUSTNESS_DIR = f"results/robustness/embedding-{OTHER_EMBEDDING}/"
ROBUSTNESS = (
    {f"embedding: {OTHER_EMBEDDING}": f"{ROBUSTNESS_DIR}tables/numbers.json"}
    if config["robustness"]["embedding"]
    else {}
)
# The `gpu` resource of a job that runs torch on the config's device: 1 for `cuda`.
GPUS = requested_gpus(config["device"])
JOB_SCRIPT = "../scripts/job.py"


wildcard_constraints:
    task="|".join(TASKS) or "none",
    experiment="|".join(e.id for e in EXPERIMENTS) or "none",
    cell=r"[a-z]+-[a-z_]+-i\d+-h\d+",
    figure="|".join(FIGURES) or "none",
    shard=r"[a-z0-9_]+(-[a-z0-9_]+)*(/shard\d+)?",


def code(*modules, notebook=None):
    """Source files a job runs: the package modules it imports, from `rnnstudy.jobs.runner`
    (every job's entry) and `modules` down, and those a notebook imports. As inputs, a
    change to any of them reruns the job (see rnnstudy.code)."""
    files = {
        f for m in ("rnnstudy.jobs.runner", *modules) for f in module_files(m, SRC)
    }
    if notebook:
        files.update(script_files(notebook, SRC))
    return sorted(os.path.relpath(f) for f in files)


def robustness_config(config):
    """The config of the other word-vector choice: the training experiments only."""
    return {
        **config,
        "model": {**config["model"], "embedding": OTHER_EMBEDDING},
        "robustness": {"embedding": False},
        "experiments": {
            e.id: config["experiments"][e.id] for e in EXPERIMENTS if e.trains
        },
    }


def robustness_prefixes(directory):
    """Every result path of the module moves under `directory`, except the datasets."""
    kinds = ("runs/", "tables/", "logs/", "figures/", "notebooks/", "report.html")
    return {f"results/{kind}": f"{directory}{kind}" for kind in kinds}


# -- training -------------------------------------------------------------------------------


def cell_of(wildcards):
    return CELLS[f"{wildcards.experiment}/{wildcards.cell}"]


def cell_dataset(wildcards):
    return f"results/data/{cell_of(wildcards).task}.npz"


def cell_params(wildcards):
    cell = cell_of(wildcards)
    return grid.cell_params(config, cell, BY_ID[cell.experiment])


def cell_files(experiment, kind):
    """One file per training cell of `experiment` (kind: final, metrics or weights)."""
    return [
        f"results/runs/{c.key}/{kind}.{'pt' if kind == 'weights' else 'csv'}"
        for c in grid.cells_of(config, experiment)
    ]


def aggregate_inputs(wildcards):
    return {
        kind: cell_files(wildcards.experiment, kind) for kind in ("final", "metrics")
    }


def aggregate_params(wildcards):
    return {
        "cells": [
            {**vars(c), "embedding": config["model"]["embedding"]}
            for c in grid.cells_of(config, wildcards.experiment)
        ]
    }


# -- experiments' own jobs ------------------------------------------------------------------


def dataset_of(experiment):
    return f"results/data/{config['experiments'][experiment.id]['task']}.npz"


def job_inputs(experiment):
    """What an experiment's job reads, by name: its cells' files, its dataset, its shards
    or other experiments' tables."""
    inputs = {}
    for name in experiment.reads:
        if name == "dataset":
            inputs["dataset"] = dataset_of(experiment)
        elif name == "corpus":
            inputs["corpus"] = CORPUS_JSON
        elif experiment.kind == SELECTION:
            inputs[name] = cell_files(experiment.id, name)
        else:
            inputs[name] = f"results/tables/{name}.csv"
    if experiment.kind == SHARDED:
        inputs = {
            "shards": [
                f"results/runs/{key}.csv"
                for key, shard in SHARDS.items()
                if shard.experiment == experiment.id
            ],
            **({"corpus": CORPUS_JSON} if "corpus" in experiment.reads else {}),
        }
    return inputs


def job_outputs(experiment):
    return {
        key: f"results/tables/{experiment.id}_{key}.csv" for key in experiment.tables
    }


def shard_inputs(experiment):
    inputs = {}
    if "dataset" in experiment.reads:
        inputs["dataset"] = dataset_of(experiment)
    if "corpus" in experiment.reads:
        inputs["corpus"] = CORPUS_JSON
    return inputs


# -- the character corpus (E12, E17) --------------------------------------------------------
CORPUS_JSON = "results/data/corpus.json"


def corpus_inputs(wildcards):
    """The corpus rule's file: the configured path, or the fetched URL (none for a
    generated corpus)."""
    source = corpus_file(CORPUS)
    return {"source": source} if source else {}


def shard_params(wildcards, experiment):
    return grid.shard_params(config, SHARDS[f"{experiment.id}/{wildcards.shard}"])


# -- figures and the report -----------------------------------------------------------------


def figure_notebook(wildcards):
    return f"paper/figures/{FIGURES[wildcards.figure].notebook}.py"


def figure_tables(wildcards):
    return [f"results/tables/{table}.csv" for table in FIGURES[wildcards.figure].tables]


def figure_code(wildcards):
    return code("rnnstudy.jobs.figure", notebook=figure_notebook(wildcards))


def figure_params(wildcards):
    figure = FIGURES[wildcards.figure]
    return {"tables": list(figure.tables), "parameters": figure.parameters}
