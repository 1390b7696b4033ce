"""Job: E3's word table (word vectors, W_ih·x, W_oh·W_ih·x of each studied model)."""
import logging

import pandas as pd

from ..analysis.e3_word_geometry import word_spaces, word_table
from ..atomic import write_csv
from ..data.sentiment import load_dataset
from ..provenance import stamp
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def word_geometry(*, final: list[str], weights: list[str], dataset: str, vectors: str,
                  params: dict, run: dict) -> None:
    vocabulary = load_dataset(dataset).vocabulary
    frames = []
    for identity, final_path, weight in zip(params["cells"], final, weights, strict=True):
        chosen = load_selected(identity, final_path, weight, params["min_val_acc"])
        log.info("%s: %s", identity["model"], chosen.selection)
        words = word_table(word_spaces(chosen.model, chosen.params, chosen.fixed, chosen.member),
                           vocabulary)
        frames.append(columns_first(words, chosen.columns()))
    write_csv(vectors, stamp(pd.concat(frames, ignore_index=True), run, "cpu"))
