"""The tidy tables under results/tables/: their columns, in one place.

`MEMBERS` describes `{experiment}.csv` (one row per trained member), `EPOCHS` describes
`{experiment}_epochs.csv` (one row per member per epoch). The README's data dictionary is
checked against these by the tests.
"""
IDENTITY = {
    "experiment": "experiment id (e1_trainability, e2_capacity, ...)",
    "task": "dataset: count, first or xor",
    "model": "rnn (tanh), rnn_relu, gru or lstm",
    "input_dim": "size of the word vectors",
    "hidden_dim": "hidden units",
    "embedding": "learned (trained word vectors) or fixed (random, untrained)",
}

MEMBERS = {
    **IDENTITY,
    "init": "initialization index within the cell (0 … inits-1)",
    "init_seed": "seed of the member's initial weights (from seed, model, shape, init)",
    "n_params": "trainable parameters per model",
    "best_epoch": "epoch of the best validation accuracy (the reported weights); 0 = untrained",
    "epochs": "epochs trained before stopping",
    "stop_reason": "patience, min_lr, max_epochs or diverged",
    "diverged": "True if the loss became NaN/infinite (the member was stopped there)",
    "train_loss": "mean training loss during the best epoch",
    "train_acc": "training accuracy during the best epoch",
    "val_loss": "validation loss of the reported weights",
    "val_acc": "validation accuracy of the reported weights (0-1)",
    "test_loss": "test loss of the reported weights",
    "test_acc": "test accuracy of the reported weights (0-1)",
    "final_lr": "learning rate when the member stopped",
}

EPOCHS = {
    **IDENTITY,
    "init": "initialization index within the cell",
    "epoch": "epoch (0 = before training: validation metrics of the initial weights)",
    "train_loss": "mean training loss over the epoch's minibatches (NaN at epoch 0)",
    "train_acc": "training accuracy over the epoch's minibatches (NaN at epoch 0)",
    "val_loss": "validation loss after the epoch",
    "val_acc": "validation accuracy after the epoch (0-1)",
    "lr": "learning rate used during the epoch",
}

TABLES = {"members": MEMBERS, "epochs": EPOCHS}

# Last in every table (and dataset summary): the provenance of the job that made the row.
PROVENANCE = {
    "git_commit": "commit of the workflow's repository (unknown outside a git checkout)",
    "git_dirty": "True if the checkout had uncommitted changes to tracked files",
    "config_hash": "hash of the run's whole resolved config (16 hex digits)",
    "python": "Python version",
    "torch": "torch version",
    "snakemake": "Snakemake version",
    "device": "device type the job computed on (cpu or cuda)",
}


def check_columns(frame, kind: str) -> None:
    """Refuse a table whose columns are not exactly the documented ones, in order."""
    expected = list(TABLES[kind]) + list(PROVENANCE)
    if list(frame.columns) != expected:
        raise ValueError(f"{kind} table columns {list(frame.columns)} != documented {expected}")

# Columns of the tables that select one trained member per model and shape (E3, E4, E6, E7).
SELECTION = {
    "task": "dataset the models were trained on",
    "model": "rnn (tanh), rnn_relu, gru or lstm",
    "input_dim": "size of the word vectors",
    "hidden_dim": "hidden units",
    "selected_init": "the studied candidate: the lowest init reaching min_val_acc, else the best",
    "selected_val_acc": "its validation accuracy",
    "min_val_acc": "the validation accuracy asked for (config)",
    "threshold_reached": "False if no candidate reached min_val_acc (the best one is studied)",
    "candidates_reaching": "candidates that reached min_val_acc",
    "candidates": "candidates trained",
}

ANALYSIS = {
    "e3_word_vectors": {
        **SELECTION,
        "word": "word id (0 … 9: stop words first, then positive, then negative)",
        "kind": "stop, positive or negative",
        "space": "embedding (x), input (W_ih·x, the block that writes the state) or output "
                 "(W_oh·W_ih·x)",
        "component": "coordinate index (1-based)",
        "value": "coordinate value",
    },
    "e4_hidden_states": {
        "task": "dataset the model was trained on", "model": "rnn or gru (…)",
        "input_dim": "size of the word vectors", "hidden_dim": "hidden units",
        "probe": "stop_prefix, first_word or adjacent_swap",
        "sequence": "A or B (the two sequences of the pair)",
        "step": "words read so far (1-based)",
        "word": "the word read at this step",
        "h1": "hidden unit 1 after this step (h2, … follow, one column per unit)",
        "p_positive": "the model's probability of positive after this step",
        "label": "the probe's count label (1 positive)",
        "scored": "True where a probe ends (the last step; every step for first_word)",
        "correct": "whether the prediction matches the label (empty where not scored)",
    },
    "e4_length_generalization": {
        **SELECTION,
        "probe": "stop_prefix, first_word or adjacent_swap",
        "sequence": "A or B",
        "length": "words in the probe",
        "label": "the probe's count label (1 positive)",
        "correct_at_end": "classified right after the last word",
        "scored_lengths": "probe lengths scored (every prefix for first_word, else 1)",
        "correct_lengths": "of those, classified right",
        "longest_correct": "first_word only: longest n with every prefix of 1 … n words right",
    },
    "e5_landscape": {
        "task": "dataset of the validation split",
        "model": "rnn (tanh), rnn_relu, gru or lstm",
        "input_dim": "size of the word vectors",
        "hidden_dim": "hidden units",
        "correct": "validation sequences classified right",
        "accuracy": "correct / validation sequences",
        "settings": "random settings with exactly this many right (a histogram bin; empty "
                    "bins are left out)",
    },
    "e6_cosine_curves": {
        **SELECTION,
        "init": "candidate init (every candidate is listed)",
        "epoch": "epoch t (1 … epochs the candidate trained)",
        "cosine": "cos(t) of eq. 7: (W_N − W_0)·(W_t − W_{t−1}) over their norms",
        "val_acc": "validation accuracy after epoch t",
        "final_val_acc": "validation accuracy of the candidate's reported weights",
        "selected": "True for the studied candidate",
    },
    "e7_retraining": {
        **SELECTION,
        "epoch": "epoch of retraining (0 = right after the perturbation)",
        "train_loss": "mean training loss of the epoch (empty at 0)",
        "train_acc": "training accuracy of the epoch (empty at 0)",
        "val_loss": "validation loss after the epoch",
        "val_acc": "validation accuracy after the epoch",
        "lr": "learning rate used during the epoch",
        "scale": "perturbation factor k (0 = W* itself, the reference)",
        "draw": "noise draw",
        "distance": "‖W* − W_epoch‖ over all trainable parameters",
        "sigma_w": "σ_W, standard deviation of W*'s flattened trainable parameters",
    },
}


def documented_columns(table: str, columns: list[str]) -> bool:
    """Whether a table's columns are the documented ones, provenance last (hidden units
    h1, h2, … documented as h1)."""
    doc = list(TABLES.get(table) or ANALYSIS[table]) + list(PROVENANCE)  # table or kind
    units = [c for c in columns if c[0] == "h" and c[1:].isdigit()]
    if units:
        columns = [c for c in columns if c not in units[1:]]
    return list(columns) == doc
