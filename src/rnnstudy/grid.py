"""The experiment grid: a pure function of the validated config.

The Snakefile asks this module which datasets, training cells, evaluation jobs and figures
exist and what parameters each job gets; it never re-derives them.
"""
from dataclasses import dataclass, field

# Experiments that train a grid of tasks × models × input dims × hidden dims × inits.
GRID_EXPERIMENTS = ("e1_trainability", "e2_capacity")
# Experiments that study one trained model per model and shape: they train `candidates`
# inits and take the lowest one that reaches `min_val_acc`.
SELECTION_EXPERIMENTS = ("e3_word_geometry", "e4_trajectories", "e6_update_cosine",
                         "e7_perturbation")
# Experiments whose training keeps every member's parameters after every epoch.
KEEPS_TRAJECTORY = ("e6_update_cosine", "e7_perturbation")
EXPERIMENTS = ("e1_trainability", "e2_capacity", "e3_word_geometry", "e4_trajectories",
               "e5_landscape", "e6_update_cosine", "e7_perturbation")


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
    """One figure job: a notebook of paper/figures/ run on some tables with parameters."""
    name: str
    notebook: str
    tables: tuple[str, ...]
    parameters: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class LandscapeShard:
    """One E5 job: settings [start, stop) of one model and shape."""
    model: str
    input_dim: int
    hidden_dim: int
    shard: int
    start: int
    stop: int

    @property
    def name(self) -> str:
        return f"{self.model}-i{self.input_dim}-h{self.hidden_dim}/shard{self.shard}"


def experiments(config: dict) -> list[str]:
    """The configured experiments, in the paper's order."""
    return [e for e in EXPERIMENTS if e in config["experiments"]]


def training_experiments(config: dict) -> list[str]:
    return [e for e in experiments(config) if e in GRID_EXPERIMENTS + SELECTION_EXPERIMENTS]


def shapes(section: dict) -> list[tuple[int, int]]:
    if "shapes" in section:
        return [tuple(s) for s in section["shapes"]]
    return [(i, h) for i in section["input_dims"] for h in section["hidden_dims"]]


def training_cells(config: dict) -> list[TrainingCell]:
    cells = []
    for experiment in training_experiments(config):
        section = config["experiments"][experiment]
        tasks = section.get("tasks", [section.get("task")])
        inits = section.get("inits", section.get("candidates"))
        for task in tasks:
            for model in section["models"]:
                for input_dim, hidden_dim in shapes(section):
                    cells.append(TrainingCell(experiment, task, model, input_dim, hidden_dim,
                                              inits))
    return cells


def cells_of(config: dict, experiment: str) -> list[TrainingCell]:
    return [cell for cell in training_cells(config) if cell.experiment == experiment]


def tasks(config: dict) -> list[str]:
    """The datasets some job needs."""
    needed = {cell.task for cell in training_cells(config)}
    if "e5_landscape" in config["experiments"]:
        needed.add(config["experiments"]["e5_landscape"]["task"])
    return sorted(needed)


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
        "dtype": config["dtype"], "keep_trajectory": cell.experiment in KEEPS_TRAJECTORY,
    }


def landscape_shards(config: dict) -> list[LandscapeShard]:
    section = config["experiments"].get("e5_landscape")
    if section is None:
        return []
    total, count = section["settings"], section["shards"]
    bounds = [total * k // count for k in range(count + 1)]
    return [LandscapeShard(model, i, h, k, bounds[k], bounds[k + 1])
            for model in section["models"] for i, h in shapes(section)
            for k in range(count) if bounds[k + 1] > bounds[k]]


def landscape_params(config: dict, shard: LandscapeShard) -> dict:
    return {"model": shard.model, "input_dim": shard.input_dim, "hidden_dim": shard.hidden_dim,
            "start": shard.start, "stop": shard.stop, "seed": config["seed"],
            "device": config["device"], "dtype": config["dtype"]}


def selection_params(config: dict, experiment: str) -> dict:
    """What a selection experiment's analysis job needs besides its cells' files."""
    section = config["experiments"][experiment]
    params = {"min_val_acc": section["min_val_acc"], "seed": config["seed"],
              "device": config["device"], "dtype": config["dtype"]}
    if experiment == "e4_trajectories":
        params["probe_length"] = section["probe_length"]
    if experiment == "e7_perturbation":
        params.update(scales=section["scales"], draws=section["draws"],
                      retrain_epochs=section["retrain_epochs"],
                      training=training_settings(config, experiment))
    return params


def figures(config: dict) -> list[Figure]:
    """Figures, each with the tables it draws and the notebook parameters that change it."""
    success = config["report"]["success_accuracy"]
    figs = []
    for experiment in experiments(config):
        section = config["experiments"][experiment]
        if experiment == "e1_trainability":
            figs += [Figure(f"e1_trainability_{t}", "e1_trainability", ("e1_trainability",),
                            {"task": t}) for t in section["tasks"]]
        elif experiment == "e2_capacity":
            figs += [Figure(f"e2_capacity_{t}", "e2_capacity", ("e2_capacity",),
                            {"task": t, "success_accuracy": success}) for t in section["tasks"]]
        elif experiment == "e3_word_geometry":
            figs.append(Figure("e3_word_geometry", "e3_word_geometry", ("e3_word_vectors",)))
        elif experiment == "e4_trajectories":
            figs.append(Figure("e4_trajectories", "e4_trajectories",
                               ("e4_hidden_states", "e4_length_generalization")))
        elif experiment == "e5_landscape":
            figs += [Figure(f"e5_landscape_{kind}", "e5_landscape", ("e5_landscape",),
                            {"kind": kind}) for kind in ("distribution", "box")]
        elif experiment == "e6_update_cosine":
            figs.append(Figure("e6_update_cosine", "e6_update_cosine", ("e6_cosine_curves",)))
        elif experiment == "e7_perturbation":
            figs.append(Figure("e7_perturbation", "e7_perturbation", ("e7_retraining",)))
    return figs


# The tables each experiment makes besides its training table (named after the experiment).
ANALYSIS_TABLES = {
    "e3_word_geometry": ("e3_word_vectors",),
    "e4_trajectories": ("e4_hidden_states", "e4_length_generalization"),
    "e5_landscape": ("e5_landscape",),
    "e6_update_cosine": ("e6_cosine_curves",),
    "e7_perturbation": ("e7_retraining",),
}


def tables(config: dict) -> list[str]:
    """Every table under results/tables/ (without .csv) the config makes."""
    names = list(training_experiments(config))
    for experiment in experiments(config):
        names += [t for t in ANALYSIS_TABLES.get(experiment, ()) if t not in names]
    return names
