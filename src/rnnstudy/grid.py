"""The experiment grid: a pure function of the validated config.

The Snakefile asks this module which datasets, training cells and figures exist and what
parameters each job gets; it never re-derives them.
"""
from dataclasses import dataclass, field

# Experiments that train a grid of tasks × models × input dims × hidden dims × inits.
GRID_EXPERIMENTS = ("e1_trainability", "e2_capacity")


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
class Figure:
    """One figure job: a notebook of paper/figures/ run on one table with parameters."""
    name: str
    notebook: str
    experiment: str
    parameters: dict = field(default_factory=dict, compare=False, hash=False)


def experiments(config: dict) -> list[str]:
    return [e for e in GRID_EXPERIMENTS if e in config["experiments"]]


def training_cells(config: dict) -> list[TrainingCell]:
    cells = []
    for experiment in experiments(config):
        grid = config["experiments"][experiment]
        for task in grid["tasks"]:
            for model in grid["models"]:
                for input_dim in grid["input_dims"]:
                    for hidden_dim in grid["hidden_dims"]:
                        cells.append(TrainingCell(experiment, task, model, input_dim,
                                                  hidden_dim, grid["inits"]))
    return cells


def tasks(config: dict) -> list[str]:
    """The datasets some job needs."""
    return sorted({cell.task for cell in training_cells(config)})


def dataset_params(config: dict, task: str) -> dict:
    return {"task": task, "seed": config["seed"], **config["data"]}


def training_settings(config: dict, experiment: str) -> dict:
    """The top-level training settings with the experiment's own overrides applied."""
    return {**config["training"], **config["experiments"][experiment].get("training", {})}


def cell_params(config: dict, cell: TrainingCell) -> dict:
    """Everything a training job's result depends on, besides its dataset file."""
    return {
        "experiment": cell.experiment, "task": cell.task, "model": cell.model,
        "input_dim": cell.input_dim, "hidden_dim": cell.hidden_dim, "inits": cell.inits,
        "seed": config["seed"], "embedding": config["model"]["embedding"],
        "training": training_settings(config, cell.experiment), "device": config["device"],
        "dtype": config["dtype"],
    }


def figures(config: dict) -> list[Figure]:
    """Figures, each with the notebook parameters that change its picture."""
    extra = {"e2_capacity": {"success_accuracy": config["report"]["success_accuracy"]}}
    figs = []
    for experiment in experiments(config):
        for task in config["experiments"][experiment]["tasks"]:
            figs.append(Figure(f"{experiment}_{task}", experiment, experiment,
                               {"task": task, **extra.get(experiment, {})}))
    return figs
