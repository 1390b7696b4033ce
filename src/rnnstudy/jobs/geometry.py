"""Job: E3's word table (word vectors, W_ih·x, W_oh·W_ih·x of each studied model)."""
import logging

import pandas as pd

from ..analysis.geometry import word_spaces, word_table
from ..atomic import write_csv
from ..provenance import stamp
from ..data.sentiment import load_dataset
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def word_geometry(cells: list[dict], finals: list[str], weights: list[str], dataset: str,
                  params: dict, table_path: str, run: dict) -> None:
    vocabulary = load_dataset(dataset).vocabulary
    frames = []
    for identity, final, weight in zip(cells, finals, weights, strict=True):
        chosen = load_selected(identity, final, weight, params["min_val_acc"])
        log.info("%s: %s", identity["model"], chosen.selection)
        words = word_table(word_spaces(chosen.model, chosen.params, chosen.fixed, chosen.member),
                           vocabulary)
        frames.append(columns_first(words, chosen.columns()))
    write_csv(table_path, stamp(pd.concat(frames, ignore_index=True), run, "cpu"))
