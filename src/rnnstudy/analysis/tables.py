"""Columns of the tables every training experiment writes, and of the studied member.

`MEMBERS` describes `{experiment}.csv` (one row per trained member), `EPOCHS` describes
`{experiment}_epochs.csv` (one row per member per epoch). An experiment's own tables are
described in its registry entry (experiments.py); docs/data-dictionary.md is generated from
both by tools/data_dictionary.py.
"""
from ..provenance import PROVENANCE

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

def check_columns(frame, kind: str) -> None:
    """Refuse a table whose columns are not exactly the documented ones, in order."""
    expected = list(TABLES[kind]) + list(PROVENANCE)
    if list(frame.columns) != expected:
        raise ValueError(f"{kind} table columns {list(frame.columns)} != documented {expected}")

# The first columns of a selection experiment's tables: the member it studies per model and
# shape, and how it was chosen.
STUDIED = {
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
