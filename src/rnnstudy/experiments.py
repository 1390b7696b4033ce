"""The experiment registry: every experiment of the paper, one entry each.

An entry says what the workflow needs to build its experiment: kind, tables, figures, the
params of its job. Its code lives in modules named after its id, nowhere else:

    src/rnnstudy/jobs/<id>.py      the job its rule runs (function `job` of the entry)
    src/rnnstudy/analysis/<id>.py  the computations its job runs (if any)
    src/rnnstudy/claims/<id>.py    `claims(tables, section, report)`: its numbers and verdicts
    src/rnnstudy/plots/<id>.py     its figure functions
    paper/figures/<id>.py          its figure notebook
    paper/sections/<id>.md         its report section

Its settings are the config's `experiments.<id>` (schema: workflow/schemas/config.schema.yaml).
The workflow's rules, `rule all`, numbers.json and the report loop over this registry, so an
experiment added here (and in those files) needs no other edit. This module imports nothing
heavy: Snakemake reads it each time it starts.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from .analysis.tables import EPOCHS, MEMBERS, STUDIED
from .config import ConfigError
from .models.shapes import Shape, largest_hidden
from .provenance import PROVENANCE

# What an experiment does; the workflow builds each kind with the same rules.
GRID = "grid"  # trains every task × model × shape × init; its tables are the training tables
SELECTION = "selection"  # trains candidates per model and shape and studies the ones
# reaching min_val_acc (seed 001's "trained to ≥ X%"), in its own job
SHARDED = "sharded"  # independent shard jobs (random settings evaluated, or populations
# trained on the experiment's own task), then one job combines the shards into its tables
ANALYSIS = "analysis"  # one job computing from other experiments' tables
KINDS = (GRID, SELECTION, SHARDED, ANALYSIS)
TRAINS = (GRID, SELECTION)


@dataclass(frozen=True)
class Figure:
    """One figure job: the notebook paper/figures/<notebook>.py run on tables with
    parameters (which, like the tables, rerun the figure when they change)."""
    name: str
    notebook: str
    tables: tuple[str, ...]
    parameters: dict = field(default_factory=dict, compare=False, hash=False)


def no_params(config: dict) -> dict:
    return {}


@dataclass(frozen=True)
class Experiment:
    id: str  # e<N>_<name>: the name of its modules, rule, tables, figures and notebook
    kind: str  # one of KINDS
    title: str  # its heading in the report
    source: str  # where the source states it
    # Its own tables, results/tables/<id>_<key>.csv, key → {column: meaning}; an experiment
    # that trains also has the training tables <id>.csv and <id>_epochs.csv.
    tables: dict[str, dict[str, str]]
    # (its config section, the config's `report`) → its figures
    figures: Callable[[dict, dict], list[Figure]]
    job: str | None = None  # the function of jobs/<id>.py its rule runs
    shard_job: str | None = None  # sharded: the function that computes one shard
    # sharded: config → [(shard name, what its job needs besides seed, device, dtype)]
    shards: Callable[[dict], list[tuple[str, dict]]] | None = None
    shard_output: str = "result"  # sharded: the name of a shard job's one output (a CSV)
    params: Callable[[dict], dict] = no_params  # config → what its job needs besides inputs
    # What its jobs read: "dataset", its cells' files (selection), other tables (analysis)
    reads: tuple[str, ...] = ()
    keeps_trajectory: bool = False  # training keeps every member's weights after every epoch
    device: bool = False  # its job computes on the config's device (and may ask for a GPU);
    # a sharded experiment's shards always do
    resources: dict = field(default_factory=dict)  # its job's exceptions to the defaults

    @property
    def trains(self) -> bool:
        return self.kind in TRAINS

    @property
    def job_module(self) -> str:
        return f"rnnstudy.jobs.{self.id}"

    @property
    def claims_module(self) -> str:
        return f"rnnstudy.claims.{self.id}"

    @property
    def claims_function(self) -> str:
        """'module:function' of its claims: (tables, its section, report config) → its
        numbers and claims for numbers.json."""
        return f"{self.claims_module}:claims"

    def table_names(self, epochs: bool = True) -> list[str]:
        """The tables it writes under results/tables/ (without .csv); `epochs=False` leaves
        out the per-epoch training table."""
        training = [self.id] + ([f"{self.id}_epochs"] if epochs else []) if self.trains else []
        return training + [f"{self.id}_{key}" for key in self.tables]


def _figure_per_task(id_: str, **parameters) -> Callable[[dict, dict], list[Figure]]:
    def figures(section: dict, report: dict) -> list[Figure]:
        values = {k: report[v] for k, v in parameters.items()}
        return [Figure(f"{id_}_{task}", id_, (id_,), {"task": task, **values})
                for task in section["tasks"]]
    return figures


def _one_figure(id_: str, *keys: str) -> Callable[[dict, dict], list[Figure]]:
    return lambda section, report: [Figure(id_, id_, tuple(f"{id_}_{k}" for k in keys))]


def _e4_params(config: dict) -> dict:
    section = config["experiments"]["e4_trajectories"]
    return {"probe_length": section["probe_length"], "random_streams": section["random_streams"]}


def _e4_figures(section: dict, report: dict) -> list[Figure]:
    """One figure; the criteria it draws (forget length, meet distance) are its parameters."""
    tables = tuple(f"e4_trajectories_{k}" for k in ("states", "lengths", "distances"))
    return [Figure("e4_trajectories", "e4_trajectories", tables,
                   {k: report["e4_trajectories"][k]
                    for k in ("forget_length", "meet_distance", "meet_from")})]


def _e5_shards(config: dict) -> list[tuple[str, dict]]:
    """`settings` random settings per model and shape, split in `shards` jobs."""
    section = config["experiments"]["e5_landscape"]
    total, count = section["settings"], section["shards"]
    bounds = [total * k // count for k in range(count + 1)]
    return [(f"{model}-i{i}-h{h}/shard{k}",
             {"model": model, "input_dim": i, "hidden_dim": h, "start": bounds[k],
              "stop": bounds[k + 1]})
            for model in section["models"] for i, h in shapes(section)
            for k in range(count) if bounds[k + 1] > bounds[k]]


def shapes(section: dict) -> list[tuple[int, int]]:
    """(input dim, hidden dim) of a section: its `shapes`, else input_dims × hidden_dims."""
    if "shapes" in section:
        return [tuple(s) for s in section["shapes"]]
    return [(i, h) for i in section["input_dims"] for h in section["hidden_dims"]]


def _e6_params(config: dict) -> dict:
    return {"include_embedding": config["experiments"]["e6_update_cosine"]["include_embedding"]}


def _e7_params(config: dict) -> dict:
    section = config["experiments"]["e7_perturbation"]
    return {key: section[key] for key in ("scales", "draws", "retrain_epochs", "retrain_lr",
                                          "include_embedding", "sigma", "max_models")} | {
        "training": {**config["training"], **section.get("training", {})}}


STUDIED_FILES = ("final", "weights", "dataset")

# Columns of seed 000's tables.
CAPACITY_POINT = {
    "model": "rnn (tanh), rnn_relu, irnn, ugrnn, gru or lstm", "layers": "recurrent layers",
    "budget": "parameter budget", "hidden_dim": "units per layer (the most within the budget)",
    "parameters": "trainable parameters"}
CAPACITY_MEMBER = {
    "setting": "search setting (the same draws at every point)",
    "replicate": "replicate: its data (inputs and labels) and init seeds",
    "samples_per_param": "the setting's b / parameters draw",
    "samples": "b: random binary inputs with random labels to memorize",
    "lr": "Adam learning rate", "scale": "recurrent init scale (W_hh ~ N(0, scale²/H); "
                                         "the IRNN: scale · I)",
    "gate_bias": "initial bias of the gate that keeps the state (GRU z, LSTM f, UGRNN g; "
                 "unused without a gate)"}
FRESH_CURVE = {
    "replicate": "replicate (init and data seeds)", "lr": "Adam learning rate",
    "step": "training steps taken when evaluated (0: the initial weights)",
    "error": "normalized error on the evaluation set: mean squared error / mean squared target",
    "train_loss": "mean squared error of the steps since the last evaluation (empty at 0 and "
                  "once diverged)",
    "diverged": "the member's loss or gradient stopped being finite"}
FRESH_BEST = {
    "best_lr": "the learning rate with the lowest mean error over its replicates (each at its "
               "best evaluation)",
    "error": "its replicates' mean error", "error_low": "their lowest",
    "error_high": "their highest", "replicates": "replicates at that learning rate",
    "diverged": "members of the point (any learning rate) that diverged"}


def _sized_shards(id_: str, sizes: str, name: str, layers=(1,), input_dim=None,
                  outputs=None) -> Callable[[dict], list[tuple[str, dict]]]:
    """Shards of one population per model × layers × size, where a size is a parameter
    budget (`sizes` = "budgets": the hidden size is the largest within it) or a hidden size
    ("hidden_dims"). A shard's params hold its section without the grid's lists, so that
    adding a model or size reruns nothing else."""
    def shards(config: dict) -> list[tuple[str, dict]]:
        section = config["experiments"][id_]
        grid_keys = ("models", "layers", sizes)
        common = {k: v for k, v in section.items() if k not in grid_keys}
        n_in = section["input_dim"] if input_dim is None else input_dim
        n_out = section["input_dim"] if outputs == "input_dim" else 1
        out = []
        for model in section["models"]:
            for depth in section.get("layers", layers):
                for size in section[sizes]:
                    hidden = (largest_hidden(model, n_in, depth, n_out, size)
                              if sizes == "budgets" else size)
                    if hidden == 0:
                        raise ConfigError(
                            f"invalid config: config key 'experiments.{id_}.budgets': {size} "
                            "parameters are "
                            f"too few for one unit of {model} with {depth} layer(s)")
                    shard = name.format(model=model, layers=depth, size=size)
                    out.append((shard, {"cell": model, "layers": depth, "hidden": hidden,
                                        sizes[:-1]: size, "section": common}))
        return out
    return shards


def _e10_params(config: dict) -> dict:
    return {"input_dim": config["experiments"]["e10_per_unit"]["input_dim"]}


def _e9_params(config: dict) -> dict:
    if "e8_capacity" not in config["experiments"]:
        raise ConfigError("invalid config: config key 'experiments.e9_relu_tanh' needs "
                          "experiments.e8_capacity (E9 compares E8's architectures)")
    return {}

REGISTRY = (
    Experiment(
        id="e1_trainability", kind=GRID, title="trainability", source="seed 001 §V.A, Fig. 3-4",
        tables={}, figures=_figure_per_task("e1_trainability")),
    Experiment(
        id="e2_capacity", kind=GRID, title="capacity across initializations",
        source="seed 001 §V.B, Fig. 5-6", tables={},
        figures=_figure_per_task("e2_capacity", success_accuracy="success_accuracy")),
    Experiment(
        id="e3_word_geometry", kind=SELECTION, title="word geometry",
        source="seed 001 §IV.A, Fig. 1", job="word_geometry", reads=STUDIED_FILES,
        figures=_one_figure("e3_word_geometry", "vectors"),
        tables={
            "vectors": {
                **STUDIED,
                "init": "candidate init (every candidate is listed)",
                "weights": "trained (its reported weights) or untrained (its initial weights, "
                           "drawn again from its init seed)",
                "final_val_acc": "validation accuracy of the candidate's reported weights",
                "selected": "True for the studied candidate",
                "word": "word id (0 … 9: stop words first, then positive, then negative)",
                "kind": "stop, positive or negative",
                "space": "embedding (x), input (W_ih·x, the block that writes the state) or "
                         "output (W_oh·W_ih·x)",
                "component": "coordinate index (1-based)",
                "value": "coordinate value",
            },
            "readout": {
                **STUDIED,
                "init": "candidate init (every candidate is listed)",
                "weights": "trained or untrained, as in the vectors table",
                "final_val_acc": "validation accuracy of the candidate's reported weights",
                "selected": "True for the studied candidate",
                "unit": "hidden unit (1-based): the row of W_oh",
                "class": "class of the column of W_oh (0 negative, 1 positive, as the labels)",
                "value": "the entry of W_oh",
            }}),
    Experiment(
        id="e4_trajectories", kind=SELECTION,
        title="hidden-state trajectories and length generalization",
        source="seed 001 §IV.B, Fig. 2", job="probe_models", reads=STUDIED_FILES,
        params=_e4_params, figures=_e4_figures,
        tables={
            "states": {
                "task": "dataset the model was trained on", "model": "rnn or gru (…)",
                "input_dim": "size of the word vectors", "hidden_dim": "hidden units",
                "probe": "stop_prefix, first_word or adjacent_swap (the studied candidate "
                         "of each model only)",
                "pair": "first_word: index k of its first words (positive k in A, negative k "
                        "in B); 0 for the others",
                "stream": "first_word: the stop words after the first word: 'stop j' (stop "
                          "word j repeated) or 'random r' (random stop stream r); empty for "
                          "the others",
                "sequence": "A or B (the two sequences of the pair)",
                "step": "words read so far (1-based); first_word: every step up to 50, then "
                        "about 20 log-spaced steps per decade and the last",
                "word": "the word read at this step",
                "h1": "hidden unit 1 after this step (h2, … follow, one column per unit)",
                "p_positive": "the model's probability of positive after this step",
                "label": "the count label of the words read so far (1 positive)",
                "correct": "whether the prediction matches the label where a probe is scored "
                           "(the last step; every step of first_word), else empty",
            },
            "lengths": {
                **STUDIED,
                "init": "candidate init (every candidate is listed)",
                "val_acc": "the candidate's validation accuracy",
                "reaching": "val_acc ≥ min_val_acc: the candidate qualifies for the claims",
                "selected": "True for the studied candidate",
                "probe": "stop_prefix, first_word or adjacent_swap (one row per pair A/B)",
                "pair": "first_word: index k of its first words (positive k / negative k); 0 "
                        "for the others",
                "stream": "first_word: 'stop j' (stop word j repeated) or 'random r'; empty "
                          "for the others",
                "length": "words in each probe of the pair",
                "correct_a": "A classified right after its last word",
                "correct_b": "B classified right after its last word",
                "right_up_to": "first_word: longest n with both probes right at every length "
                               "1 … n (= length: never wrong); empty for the others",
                "wrong_from": "first_word: smallest n from which on, at every length up to "
                              "`length`, A or B is wrong; empty if both are right at `length`",
                "distance_end": "‖h_A − h_B‖ after the last word",
            },
            "distances": {
                "task": "dataset the model was trained on", "model": "rnn or gru (…)",
                "input_dim": "size of the word vectors", "hidden_dim": "hidden units",
                "init": "candidate init (every candidate is listed)",
                "val_acc": "the candidate's validation accuracy",
                "reaching": "val_acc ≥ min_val_acc: the candidate qualifies for the claims",
                "selected": "True for the studied candidate",
                "probe": "stop_prefix (its one pair) or first_word (its pairs: first words × "
                         "stop streams)",
                "step": "words read (stop_prefix: every step; first_word: every step up to "
                        "50, then about 20 log-spaced steps per decade and the last)",
                "pairs": "probe pairs behind the row",
                "distance_min": "smallest ‖h_A − h_B‖ over those pairs after `step` words",
                "distance_median": "median ‖h_A − h_B‖ over the pairs",
                "distance_max": "largest ‖h_A − h_B‖ over the pairs",
                "pairs_right": "pairs with both probes right after `step` words (first_word: "
                               "every step; stop_prefix: the last step only, else empty)",
            }}),
    Experiment(
        id="e5_landscape", kind=SHARDED, title="the landscape of untrained parameter settings",
        source="seed 001 §VI.A, Fig. 7-8", job="landscape_table", shard_job="landscape_shard",
        shards=_e5_shards, shard_output="histogram", reads=("dataset",),
        figures=lambda section, report: [
            Figure(f"e5_landscape_{kind}", "e5_landscape", ("e5_landscape_histogram",),
                   {"kind": kind}) for kind in ("distribution", "box")],
        tables={"histogram": {
            "task": "dataset of the validation split",
            "model": "rnn (tanh), rnn_relu, gru or lstm",
            "input_dim": "size of the word vectors",
            "hidden_dim": "hidden units",
            "correct": "validation sequences classified right",
            "accuracy": "correct / validation sequences",
            "settings": "random settings with exactly this many right (a histogram bin; empty "
                        "bins are left out)",
        }}),
    Experiment(
        id="e6_update_cosine", kind=SELECTION, title="cosine of local vs global updates",
        source="seed 001 §VI.B, Fig. 9", job="cosine_curves",
        reads=("final", "metrics", "weights"), keeps_trajectory=True, params=_e6_params,
        figures=_one_figure("e6_update_cosine", "curves"),
        tables={"curves": {
            **STUDIED,
            "init": "candidate init (every candidate is listed)",
            "epoch": "epoch t (1 … epochs the candidate trained)",
            "cosine": "cos(t) of eq. 7: (W_N − W_0)·(W_t − W_{t−1}) over their norms",
            "val_acc": "validation accuracy after epoch t",
            "final_val_acc": "validation accuracy of the candidate's reported weights",
            "selected": "True for the studied candidate",
        }}),
    Experiment(
        id="e7_perturbation", kind=SELECTION, title="perturbation and retraining",
        source="seed 001 §VI.C, Fig. 10", job="perturb_and_retrain", reads=STUDIED_FILES,
        params=_e7_params, keeps_trajectory=True, device=True,
        # minutes: candidates × (1 + scales × draws) retrained for retrain_epochs
        resources={"runtime": 30, "mem_mb": 4000},
        figures=_one_figure("e7_perturbation", "retraining"),
        tables={"retraining": {
            **STUDIED,
            "init": "the perturbed candidate: every init reaching min_val_acc, lowest first, "
                    "up to max_models (the best one where none reaches it)",
            "init_val_acc": "validation accuracy of the candidate's trained weights W*",
            "epoch": "epoch of retraining (0 = right after the perturbation)",
            "train_loss": "mean training loss of the epoch (empty at 0)",
            "train_acc": "training accuracy of the epoch (empty at 0)",
            "val_loss": "validation loss after the epoch",
            "val_acc": "validation accuracy after the epoch",
            "lr": "learning rate used during the epoch",
            "scale": "perturbation factor k (0 = W* itself, the reference)",
            "draw": "noise draw",
            "distance": "‖W* − W_epoch‖ over W: the parameters of seed 001's eq. 1-6 (with "
                        "the word vectors if include_embedding)",
            "sigma_w": "σ_W, standard deviation of the candidate's flattened W* (the noise's, "
                       "unless sigma is per_matrix)",
        }}),
    Experiment(
        id="e8_capacity", kind=SHARDED, title="capacity in bits per parameter",
        source="seed 000 §IV.A, Fig. 2-4; Collins et al. 2017 §2.1", job="capacity_tables",
        shard_job="capacity_shard", shard_output="curve",
        shards=_sized_shards("e8_capacity", "budgets", "{model}-d{layers}-p{size}",
                             outputs=1),
        figures=lambda section, report: [
            Figure("e8_capacity_bits", "e8_capacity", ("e8_capacity_points",),
                   {"kind": "bits"}),
            Figure("e8_capacity_search", "e8_capacity",
                   ("e8_capacity_search", "e8_capacity_curves"), {"kind": "search"})],
        tables={
            "curves": {**CAPACITY_POINT, **CAPACITY_MEMBER,
                       "step": "training steps taken when evaluated",
                       "train_loss": "mean cross-entropy of the steps since the last evaluation "
                                     "(empty once the member diverged)",
                       "accuracy": "p: fraction of its b samples classified right",
                       "bits": "I = b·(1 − H2(p)), bits",
                       "diverged": "the member's loss or gradient stopped being finite (it "
                                   "keeps its last finite weights)"},
            "points": {**CAPACITY_POINT,
                       "best_setting": "the search setting with the most bits (mean over its "
                                       "replicates, each at its best evaluation)",
                       "bits": "its replicates' mean bits",
                       "bits_low": "its replicates' fewest bits",
                       "bits_high": "its replicates' most bits",
                       "accuracy": "its replicates' mean p",
                       "samples": "its b", "samples_per_param": "its b / budget draw",
                       "lr": "its learning rate", "scale": "its recurrent init scale",
                       "gate_bias": "its keep-gate bias",
                       "replicates": "replicates (data and init seeds) of the setting",
                       "diverged": "of those, how many diverged",
                       "evaluations": "settings the search tried at this point",
                       "bits_per_param": "bits / parameters",
                       "bits_per_param_low": "bits_low / parameters",
                       "bits_per_param_high": "bits_high / parameters"},
            "search": {**CAPACITY_POINT,
                       "evaluations": "settings tried so far, in the search's order",
                       "best_bits": "the most bits (setting mean over replicates) among them",
                       "best_bits_per_param": "best_bits / parameters"}}),
    Experiment(
        id="e9_relu_tanh", kind=ANALYSIS, title="ReLU vs tanh: what lowers the IRNN's capacity",
        source="seed 000 §IV.B, Fig. 5; Collins et al. 2017 Fig. 2a", job="relu_tanh",
        reads=("e8_capacity_points",), params=_e9_params,
        figures=_one_figure("e9_relu_tanh", "comparison"),
        tables={"comparison": {
            "layers": "recurrent layers", "budget": "parameter budget",
            "model": "rnn (tanh), rnn_relu or irnn (ReLU, identity init, zero biases)",
            "parameters": "trainable parameters", "bits_per_param": "E8's best bits / parameters",
            "bits_per_param_low": "its replicates' lowest", "bits_per_param_high": "highest",
            "ratio_to_tanh": "bits_per_param over the tanh RNN's at the same depth and budget",
        }}),
    Experiment(
        id="e10_per_unit", kind=SHARDED, title="per-unit capacity: remembering an input",
        source="seed 000 §IV.C, Fig. 6; Collins et al. 2017 §2.2", job="per_unit_tables",
        shard_job="per_unit_shard", shard_output="curve", params=_e10_params,
        shards=_sized_shards("e10_per_unit", "hidden_dims", "{model}-h{size}",
                             outputs="input_dim"),
        figures=lambda section, report: [
            Figure("e10_per_unit", "e10_per_unit", ("e10_per_unit_errors",),
                   {"input_dim": section["input_dim"]})],
        tables={
            "curves": {"model": "cell", "hidden_dim": "hidden units",
                       "parameters": "trainable parameters", **FRESH_CURVE},
            "errors": {"model": "cell", "hidden_dim": "hidden units",
                       "parameters": "trainable parameters",
                       "linear_floor": "(d − n)/d: the best linear reconstruction's error from n "
                                       "numbers (0 from n = d on)", **FRESH_BEST}}),
    Experiment(
        id="e11_random_functions", kind=SHARDED, title="random continuous functions",
        source="seed 000 §IV.E, Fig. 9-10", job="random_function_tables",
        shard_job="random_function_shard", shard_output="curve",
        shards=_sized_shards("e11_random_functions", "budgets", "{model}-p{size}",
                             input_dim=1, outputs=1),
        figures=lambda section, report: [
            Figure("e11_random_functions", "e11_random_functions",
                   ("e11_random_functions_errors",),
                   {"teacher_parameters": Shape("rnn", 1, section["teacher_hidden"], 1,
                                                1).n_params})],
        tables={
            "curves": {"model": "cell", "budget": "parameter budget",
                       "hidden_dim": "hidden units (the most within the budget)",
                       "parameters": "trainable parameters", **FRESH_CURVE},
            "errors": {"model": "cell", "budget": "parameter budget",
                       "hidden_dim": "hidden units (the most within the budget)",
                       "parameters": "trainable parameters", **FRESH_BEST}}),
)

BY_ID = {experiment.id: experiment for experiment in REGISTRY}


def configured(config: dict) -> list[Experiment]:
    """The experiments the config asks for, in the paper's order."""
    return [e for e in REGISTRY if e.id in config["experiments"]]


def table_columns(name: str) -> dict[str, str]:
    """The documented columns of table `name` (results/tables/<name>.csv), provenance last."""
    for experiment in REGISTRY:
        if experiment.trains and name in (experiment.id, f"{experiment.id}_epochs"):
            return {**(MEMBERS if name == experiment.id else EPOCHS), **PROVENANCE}
        for key, columns in experiment.tables.items():
            if f"{experiment.id}_{key}" == name:
                return {**columns, **PROVENANCE}
    raise KeyError(f"no experiment writes a table named {name!r}")


def documented_columns(name: str, columns: list[str]) -> bool:
    """Whether table `name` has exactly its documented columns, in order (hidden units
    h1, h2, … documented as h1)."""
    units = [c for c in columns if c[0] == "h" and c[1:].isdigit()]
    return [c for c in columns if c not in units[1:]] == list(table_columns(name))
