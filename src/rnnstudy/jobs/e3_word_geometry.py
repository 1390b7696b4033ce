"""Job: E3's tables: word vectors, W_ih·x and W_oh·W_ih·x, and the readout W_oh, of every
candidate of every cell, trained and untrained (the studied candidate marked)."""
import logging

import pandas as pd

from ..analysis.e3_word_geometry import (
    TRAINED,
    UNTRAINED,
    readout_table,
    untrained_weights,
    word_spaces,
    word_table,
)
from ..atomic import write_csv
from ..data.sentiment import load_dataset
from ..provenance import stamp
from ..results import read_results
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def word_geometry(*, final: list[str], weights: list[str], dataset: str, vectors: str,
                  readout: str, params: dict, run: dict) -> None:
    vocabulary = load_dataset(dataset).vocabulary
    words, readouts = [], []
    for identity, final_path, weight in zip(params["cells"], final, weights, strict=True):
        chosen = load_selected(identity, final_path, weight, params["min_val_acc"])
        log.info("%s: %s", identity["model"], chosen.selection)
        untrained = untrained_weights(chosen.model, chosen.saved)
        members = read_results(final_path, ("init", "val_acc")).set_index("init")
        for init in members.index:
            for name, (p, f) in ((TRAINED, (chosen.params, chosen.fixed)),
                                 (UNTRAINED, untrained)):
                columns = {**chosen.columns(), "init": int(init), "weights": name,
                           "final_val_acc": float(members.loc[init, "val_acc"]),
                           "selected": bool(init == chosen.member)}
                spaces = word_spaces(chosen.model, p, f, int(init))
                words.append(columns_first(word_table(spaces, vocabulary), columns))
                readouts.append(columns_first(readout_table(chosen.model, p, f, int(init)),
                                              columns))
    write_csv(vectors, stamp(pd.concat(words, ignore_index=True), run, "cpu"))
    write_csv(readout, stamp(pd.concat(readouts, ignore_index=True), run, "cpu"))
