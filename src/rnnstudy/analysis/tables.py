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
    "device": "device type the member was trained on (cpu or cuda)",
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
    expected = list(TABLES[kind])
    if list(frame.columns) != expected:
        raise ValueError(f"{kind} table columns {list(frame.columns)} != documented {expected}")
