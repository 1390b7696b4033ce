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
from .data.text_file import alphabet_size
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
    # Its jobs run the recurrent cells of models/ (training or their gradients), so the
    # config's `kernels` is in their params: changing it reruns them and no other job.
    kernels: bool = True
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

E17_GRID = ("variants", "replicates")


def _e17_shards(config: dict) -> list[tuple[str, dict]]:
    """One model per dropout variant × replicate. Its params hold the section without the
    grid's lists (and, without dropout, without its rate), so that adding a replicate or
    changing the rate trains nothing else. A generated corpus's alphabet is known now: a
    prefix it cannot spell is refused before any job (a file's, when its job starts)."""
    section = config["experiments"]["e17_char_generation"]
    corpus = config.get("corpus", {})
    if corpus.get("source") == "markov":
        alphabet = corpus["markov"]["alphabet"]
        missing = sorted(set(section["prefix"]) - set(alphabet))
        if missing:
            raise ConfigError("invalid config: config key "
                              f"'experiments.e17_char_generation.prefix' ({section['prefix']!r})"
                              f" cannot be completed: its characters {''.join(missing)!r} are "
                              f"not in the corpus's alphabet {alphabet!r}")
    common = {k: v for k, v in section.items() if k not in E17_GRID}
    return [(f"{variant}-r{r}",
             {"variant": variant, "replicate": r,
              "section": common if variant != "none" else
              {k: v for k, v in common.items() if k != "dropout"}})
            for variant in section["variants"] for r in range(section["replicates"])]


E17_MODEL = {"variant": "dropout: none, between (between layers) or recurrent (on the "
                        "recurrent state)",
             "replicate": "replicate: its initial weights and training windows (the same "
                          "in every variant)",
             "dropout": "dropout probability (0 without dropout)"}


E12_GRID = ("models", "layers", "budgets")


def _e12_shards(config: dict) -> list[tuple[str, dict]]:
    """One population per architecture × depth × parameter budget; its hidden size is the
    largest within the budget for the corpus's alphabet (one-hot inputs, a readout over the
    alphabet). Where the alphabet is known only once a URL is fetched, the job sizes it."""
    section = config["experiments"]["e12_char_models"]
    if section["context"] > section["window"]:
        raise ConfigError("invalid config: config key 'experiments.e12_char_models.context' "
                          f"({section['context']}) exceeds its window ({section['window']})")
    corpus = config.get("corpus", {})
    if corpus.get("source") == "markov" and section["context"] < corpus["markov"]["order"]:
        raise ConfigError("invalid config: config key 'experiments.e12_char_models.context' "
                          f"({section['context']}) is below the generated source's order "
                          f"({corpus['markov']['order']}): its entropy rate would not be the "
                          "floor")
    alphabet = alphabet_size(config) if corpus else None
    common = {k: v for k, v in section.items() if k not in E12_GRID}
    shards = []
    for model in section["models"]:
        for depth in section["layers"]:
            for budget in section["budgets"]:
                hidden = (None if alphabet is None else
                          largest_hidden(model, alphabet, depth, alphabet, budget))
                if hidden == 0:
                    raise ConfigError(
                        f"invalid config: config key 'experiments.e12_char_models.budgets': "
                        f"{budget} parameters are too few for one unit of {model} with "
                        f"{depth} layer(s) over an alphabet of {alphabet}")
                shards.append((f"{model}-d{depth}-p{budget}",
                               {"cell": model, "layers": depth, "budget": budget,
                                "hidden": hidden, "section": common}))
    return shards


CHAR_POINT = {"model": "rnn (tanh), gru or lstm", "layers": "recurrent layers",
              "budget": "parameter budget",
              "hidden_dim": "units per layer (the most within the budget for the alphabet)",
              "parameters": "trainable parameters (one-hot input and readout over the "
                            "alphabet included)"}



# Seed 003's palindromes (E15, E16) and seed 000's optimizers on them (E13).
PALINDROME_GRID = ("models", "lengths")
PALINDROME_RUN = {
    "optimizer": "adam, rmsprop, adagrad or sgd_nesterov (torch.optim's arithmetic)",
    "model": "cell", "length": "T: digits of the palindrome (the network reads T − 1 of them "
                               "and names the last, which equals the first)",
    "hidden_dim": "hidden units", "lr": "learning rate",
    "replicate": "replicate: its initial weights and palindromes (the same for every "
                 "optimizer and learning rate)"}
PALINDROME_CURVE = {
    **PALINDROME_RUN,
    "step": "training steps taken when evaluated (0: the initial weights); a run's rows end "
            "where it converged",
    "train_loss": "mean cross-entropy of its steps since the last evaluation (empty at 0 and "
                  "once diverged)",
    "accuracy": "last digit named right on a fresh evaluation set of palindromes",
    "converged": "accuracy ≥ converge_accuracy at this evaluation: the run stopped here",
    "diverged": "the run's loss or gradient stopped being finite (it kept its last finite "
                "weights)"}
PALINDROME_RUNS = {
    **PALINDROME_RUN,
    "converged": "it reached converge_accuracy at an evaluation within its steps",
    "converged_at": "the step of that evaluation (empty if it never did)",
    "steps": "steps it trained (its last evaluation)",
    "best_accuracy": "its highest evaluation accuracy",
    "final_accuracy": "its last evaluation accuracy",
    "final_loss": "its last recorded training loss",
    "score": "mean accuracy over the evaluations 0, E, 2E, … up to the step budget, each "
             "after it stopped at its last accuracy: the area under its accuracy curve",
    "diverged": "its loss or gradient stopped being finite"}


def _palindrome_common(section: dict, grid=PALINDROME_GRID) -> dict:
    """A section without its grid's lists: what every population of it shares, so that
    adding a length or an architecture reruns nothing else."""
    return {k: v for k, v in section.items() if k not in grid}


def _e15_shards(config: dict) -> list[tuple[str, dict]]:
    section = config["experiments"]["e15_palindromes"]
    common = _palindrome_common(section)
    return [(f"{model}-t{length}", {"cell": model, "length": length, "section": common})
            for model in section["models"] for length in section["lengths"]]


def _e15_params(config: dict) -> dict:
    section = config["experiments"]["e15_palindromes"]
    return {"steps": section["steps"], "evaluate_every": section["evaluate_every"]}


def _e16_shards(config: dict) -> list[tuple[str, dict]]:
    """E15's populations (its settings, the same seeds) with E16's optimizer, for E16's
    architectures and lengths (E15's lengths unless it names some of them)."""
    section = config["experiments"]["e16_rmsprop_adam"]
    if "e15_palindromes" not in config["experiments"]:
        raise ConfigError("invalid config: config key 'experiments.e16_rmsprop_adam' needs "
                          "experiments.e15_palindromes (E16's other arm is E15's runs)")
    e15 = config["experiments"]["e15_palindromes"]
    lengths = section.get("lengths") or e15["lengths"]
    for key, mine, theirs in (("models", section["models"], e15["models"]),
                              ("lengths", lengths, e15["lengths"])):
        extra = [v for v in mine if v not in theirs]
        if extra:
            raise ConfigError(f"invalid config: config key 'experiments.e16_rmsprop_adam.{key}'"
                              f": {extra} not in experiments.e15_palindromes.{key} (E16 pairs "
                              "each run with E15's)")
    if section["optimizer"] == e15["optimizer"]:
        raise ConfigError("invalid config: config key 'experiments.e16_rmsprop_adam.optimizer'"
                          f": E15 already trains with {e15['optimizer']}")
    common = _palindrome_common(e15)
    return [(f"{model}-t{length}", {"cell": model, "length": length, "section": common,
                                    "optimizer": section["optimizer"],
                                    "options": section["options"]})
            for model in section["models"] for length in lengths]


def _e16_params(config: dict) -> dict:
    if "e15_palindromes" not in config["experiments"]:
        raise ConfigError("invalid config: config key 'experiments.e16_rmsprop_adam' needs "
                          "experiments.e15_palindromes (E16's other arm is E15's runs)")
    return _e15_params(config)


def _e13_shards(config: dict) -> list[tuple[str, dict]]:
    """One population per optimizer: the learning-rate grid × replicates."""
    section = config["experiments"]["e13_optimizers"]
    common = _palindrome_common(section, ("optimizers", "model", "length"))
    return [(name, {"optimizer": name, "options": options or {}, "cell": section["model"],
                    "length": section["length"], "section": common})
            for name, options in section["optimizers"].items()]


def _e13_params(config: dict) -> dict:
    section = config["experiments"]["e13_optimizers"]
    return {"steps": section["steps"], "evaluate_every": section["evaluate_every"]}


# E14 and E18: training runs on seed 003's palindromes (and seed 001's xor), one row each.
SEQUENCE_RUN = {
    "converged": "it reached converge_accuracy at an evaluation within its steps (a success)",
    "converged_at": "the step of that evaluation (empty if it never did)",
    "diverged": "its loss or gradient stopped being finite (it kept its last finite weights "
                "and counts as a failure)",
    "best_accuracy": "its highest evaluation accuracy",
    "final_accuracy": "its accuracy when it stopped: at convergence, else after its last step",
    "steps": "steps it trained (its last evaluation)"}
SEQUENCE_CURVE = {
    "step": "training steps taken when evaluated (0: the initial weights); a run's rows end "
            "where it converged",
    "train_loss": "mean cross-entropy of its steps since the last evaluation (empty at 0 and "
                  "once diverged)",
    "accuracy": "accuracy on a fresh evaluation set (the same for every run of the task and "
                "length)",
    "converged": "accuracy ≥ converge_accuracy at this evaluation: the run stopped here",
    "diverged": SEQUENCE_RUN["diverged"]}
E14_RUN = {
    "optimizer": "adam, rmsprop, adagrad or sgd_nesterov", "lr": "its learning rate",
    "model": "rnn (tanh) or rnn_relu", "length": "T: digits of the palindrome",
    "clipping": "none, norm (each run's gradient norm at most clip_norm) or value (each "
                "element within ±clip_value)",
    "init": "recurrent matrix: default (N(0, 1/H)), orthogonal, identity or he (N(0, 2/H))",
    "replicate": "replicate: its input weights and palindromes (the same under every init; "
                 "its whole start the same under every clipping and optimizer)"}
E18_RUN = {
    "task": "palindrome (seed 003) or xor (seed 001, generated in the job)",
    "length": "T: digits of the palindrome, or words of the xor sequence",
    "model": "lstm, lstm_peephole, lstm_cifg, lstm_nf (no forget gate) or gru",
    "forget_bias": "initial bias of the forget gate (the GRU's update gate z); empty for the "
                   "LSTM without a forget gate",
    "replicate": "replicate: its initial weights (the same under every bias; the peephole "
                 "LSTM's the LSTM's) and sequences (the same for every cell and bias)"}


def _e14_shards(config: dict) -> list[tuple[str, dict]]:
    """One population per activation × length × optimizer × clipping mode (training/steps.py
    clips per call); a shard's section holds only its own optimizer and clipping settings."""
    section = config["experiments"]["e14_initialization"]
    grid = ("models", "lengths", "optimizers", "clippings", "clip_norm", "clip_value")
    common = {k: v for k, v in section.items() if k not in grid}
    clip_keys = {"none": {}, "norm": {"clip_norm": section["clip_norm"]},
                 "value": {"clip_value": section["clip_value"]}}
    return [(f"{model}-t{length}-{optimizer}-{clipping}",
             {"cell": model, "length": length, "optimizer": optimizer, "clipping": clipping,
              "section": {**common, "optimizers": {optimizer: settings},
                          **clip_keys[clipping]}})
            for model in section["models"] for length in section["lengths"]
            for optimizer, settings in section["optimizers"].items()
            for clipping in section["clippings"]]


def _e18_shards(config: dict) -> list[tuple[str, dict]]:
    """One population per cell × task × length (forget biases × replicates)."""
    section = config["experiments"]["e18_lstm_variants"]
    common = {k: v for k, v in section.items() if k not in ("models", "tasks")}
    return [(f"{model}-{task}-t{length}",
             {"cell": model, "task": task, "length": length, "section": common})
            for task, lengths in section["tasks"].items() for length in lengths
            for model in section["models"]]


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
        kernels=False,  # evaluation only: models/inference.py
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
        reads=("e8_capacity_points",), params=_e9_params, kernels=False,  # tables only
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
    Experiment(
        id="e12_char_models", kind=SHARDED, title="next-character prediction",
        source="seed 000 §IV.D; Collins et al. 2017 §3", job="char_model_tables",
        shard_job="char_model_shard", shard_output="curve", shards=_e12_shards,
        reads=("corpus",),
        figures=_one_figure("e12_char_models", "points"),
        tables={
            "curves": {
                **CHAR_POINT,
                "replicate": "replicate: its initial weights and training windows",
                "lr": "Adam learning rate",
                "step": "training steps taken when evaluated (0: the initial weights)",
                "train_bits": "mean training cross-entropy (bits per character) of the steps "
                              "since the last evaluation (empty at 0 and once diverged)",
                "validation_bits": "bits per character on the validation part",
                "selected": "the member's best validation evaluation: its reported model",
                "test_bits": "bits per character on the test part (selected rows only)",
                "diverged": "the member's loss or gradient stopped being finite"},
            "points": {
                **CHAR_POINT,
                "best_lr": "the learning rate whose replicates have the lowest mean "
                           "validation bits (each at its selected evaluation)",
                "validation_bits": "their mean validation bits per character",
                "test_bits": "their mean test bits per character",
                "test_bits_low": "their lowest", "test_bits_high": "their highest",
                "replicates": "replicates at that learning rate",
                "best_step": "median step of their selected evaluations",
                "diverged": "members of the point (any learning rate) that diverged",
                "entropy_rate": "the generated source's entropy rate, bits per character: "
                                "the floor (empty for a text file)",
                "source_test_bits": "the true source's bits per character on this test "
                                    "part (empty for a text file)"}}),
    Experiment(
        id="e13_optimizers", kind=SHARDED,
        title="optimizers: Adam, RMSprop, Adagrad, SGD with Nesterov momentum",
        source="seed 000 §V, Fig. 11-12", job="optimizer_tables",
        shard_job="optimizer_shard", shard_output="curve", shards=_e13_shards,
        params=_e13_params,
        figures=lambda section, report: [
            Figure("e13_optimizers", "e13_optimizers",
                   ("e13_optimizers_curves", "e13_optimizers_rates"))],
        tables={
            "curves": PALINDROME_CURVE,
            "runs": PALINDROME_RUNS,
            "rates": {
                "optimizer": PALINDROME_RUN["optimizer"], "model": "cell",
                "length": PALINDROME_RUN["length"], "hidden_dim": "hidden units",
                "lr": "learning rate of the shared grid",
                "score": "its replicates' mean score (area under the accuracy curve)",
                "score_low": "their lowest", "score_high": "their highest",
                "replicates": "replicates", "converged": "of those, how many converged",
                "median_converged_at": "their median step of convergence (empty: none did)",
                "diverged": "how many diverged",
                "best": "the optimizer's learning rate with the highest mean score (the "
                        "smaller one on a tie)"}}),
    Experiment(
        id="e14_initialization", kind=SHARDED,
        title="initialization of the recurrent matrix, and gradient clipping",
        source="seed 000 §VI, Figs. 13-14; seed 002", job="initialization_tables",
        shard_job="initialization_shard", shard_output="curve", shards=_e14_shards,
        figures=lambda section, report: [
            Figure(f"e14_initialization_{optimizer}", "e14_initialization",
                   ("e14_initialization_curves",),
                   {"kind": "curves", "optimizer": optimizer,
                    "converge_accuracy": section["converge_accuracy"]})
            for optimizer in section["optimizers"]] + [
            Figure("e14_initialization_counts", "e14_initialization",
                   ("e14_initialization_counts",), {"kind": "counts"})],
        tables={
            "curves": {**E14_RUN, **SEQUENCE_CURVE},
            "runs": {**E14_RUN, **SEQUENCE_RUN},
            "counts": {**{k: v for k, v in E14_RUN.items() if k != "replicate"},
                       "runs": "runs (replicates)",
                       "successes": "runs that converged",
                       "diverged": "runs whose loss or gradient stopped being finite"}}),
    Experiment(
        id="e15_palindromes", kind=SHARDED, title="palindromes: RNN vs LSTM (and GRU)",
        source="seed 003 §1, Figs. 2-4, 6-7", job="palindrome_tables",
        shard_job="palindrome_shard", shard_output="curve", shards=_e15_shards,
        params=_e15_params,
        figures=lambda section, report: [
            Figure("e15_palindromes_accuracy", "e15_palindromes", ("e15_palindromes_runs",),
                   {"kind": "accuracy", "pivot": report["e15_palindromes"]["pivot"]}),
            Figure("e15_palindromes_loss", "e15_palindromes", ("e15_palindromes_curves",),
                   {"kind": "loss", "pivot": report["e15_palindromes"]["pivot"]})],
        tables={
            "curves": PALINDROME_CURVE,
            "runs": PALINDROME_RUNS,
            "longest": {
                "optimizer": PALINDROME_RUN["optimizer"], "model": "cell",
                "hidden_dim": "hidden units", "lr": "learning rate",
                "replicate": "replicate (its networks at different lengths differ: each "
                             "length draws its own)",
                "longest": "the longest T at which it converged (0: at none)",
                "through": "the longest T up to which it converged at every length of the "
                           "grid (0: not at the shortest)",
                "gaps": "lengths shorter than `longest` at which it did not converge",
                "lengths": "lengths tried"}}),
    Experiment(
        id="e16_rmsprop_adam", kind=SHARDED, title="RMSprop vs Adam on palindromes",
        source="seed 003 §1, Figs. 1-2, 5-6", job="optimizer_tables",
        shard_job="optimizer_shard", shard_output="curve", shards=_e16_shards,
        params=_e16_params,
        figures=lambda section, report: [
            Figure("e16_rmsprop_adam", "e16_rmsprop_adam",
                   ("e15_palindromes_curves", "e16_rmsprop_adam_curves"))],
        tables={"curves": PALINDROME_CURVE, "runs": PALINDROME_RUNS}),
    Experiment(
        id="e17_char_generation", kind=SHARDED,
        title="character-level generation with temperature, and dropout",
        source="seed 003 §3, Tables 1-2; seed 002 (dropout, Zaremba et al.)",
        job="char_tables", shard_job="char_model_shard", shard_output="records",
        shards=_e17_shards, reads=("corpus",),
        kernels=False,  # its character models are torch.nn.LSTM
        figures=lambda section, report: [
            Figure("e17_char_generation_curves", "e17_char_generation",
                   ("e17_char_generation_curves",), {"kind": "curves"}),
            Figure("e17_char_generation_sampling", "e17_char_generation",
                   ("e17_char_generation_measures",),
                   {"kind": "sampling", "ngram": report["e17_char_generation"]["ngram"]})],
        tables={
            "curves": {
                **E17_MODEL,
                "step": "training steps taken (0: the initial weights)",
                "train_bits": "mean training cross-entropy (bits per character) of the steps "
                              "since the last row (empty at 0)",
                "train_accuracy": "next-character accuracy on those steps' windows (empty "
                                  "at 0)",
                "validation_bits": "bits per character on the corpus's validation part "
                                   "(consecutive windows, each from a zero state)",
                "validation_accuracy": "next-character accuracy there",
                "entropy_rate": "the generated source's entropy rate, bits per character "
                                "(empty for a text file)",
                "source_bits": "the true source's bits per character on the validation part "
                               "itself (empty for a text file)"},
            "samples": {
                **E17_MODEL,
                "kind": "snapshot (from the weights kept at `step`, seed 003 Table 1-2) or "
                        "prefix (the final model completing the configured prefix)",
                "step": "training steps of the weights sampled",
                "temperature": "T of softmax(logits / T); 0 = greedy (the argmax)",
                "sample": "sample index (0)",
                "prompt": "what the model was given, as a JSON string literal (snapshot: "
                          "one random character)",
                "text": "the prompt and the generated characters, as a JSON string literal"},
            "measures": {
                **E17_MODEL,
                "temperature": "T (0 = greedy)",
                "sample": "sample index; sample i starts from the same random character "
                          "and draws with the same uniforms at every temperature",
                "prompt": "its first character, as a JSON string literal",
                "text": "the whole sample, as a JSON string literal",
                "log2_prob": "mean log2-probability of its generated characters under the "
                             "scorer, each given every character before it",
                "scorer": "source (the true generated source) or model (the model itself "
                          "at T = 1, for a text file)",
                "entropy": "mean entropy (bits) of the distributions its characters were "
                           "drawn from (0 when greedy)"}}),
    Experiment(
        id="e18_lstm_variants", kind=SHARDED, title="LSTM variants",
        source="seeds 004 and 002; Greff et al. 2017", job="variant_tables",
        shard_job="variant_shard", shard_output="curve", shards=_e18_shards,
        figures=lambda section, report: [
            Figure("e18_lstm_variants", "e18_lstm_variants", ("e18_lstm_variants_runs",),
                   {"converge_accuracy": section["converge_accuracy"]})],
        tables={
            "curves": {**E18_RUN, **SEQUENCE_CURVE},
            "runs": {**E18_RUN, **SEQUENCE_RUN},
            "accuracy": {**{k: v for k, v in E18_RUN.items() if k != "replicate"},
                         "runs": "runs (replicates)",
                         "successes": "runs that converged",
                         "diverged": "runs whose loss or gradient stopped being finite",
                         "best_accuracy": "median of the runs' best accuracy",
                         "converged_at": "median step of convergence of the runs that "
                                         "converged (empty: none did)"}}),
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
