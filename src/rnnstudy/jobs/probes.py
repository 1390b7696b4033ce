"""Job: E4's hidden-state trajectories and length generalization of each studied model."""
import logging

import pandas as pd

from ..analysis.probes import longest_correct, probe_pairs, run_probe
from ..atomic import write_csv
from ..provenance import stamp
from ..data.sentiment import load_dataset
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def probe_models(cells: list[dict], finals: list[str], weights: list[str], dataset: str,
                 params: dict, states_path: str, lengths_path: str, run: dict) -> None:
    vocabulary = load_dataset(dataset).vocabulary
    states, lengths = [], []
    for identity, final, weight in zip(cells, finals, weights, strict=True):
        chosen = load_selected(identity, final, weight, params["min_val_acc"])
        columns = chosen.columns()
        for probe in probe_pairs(vocabulary, params["probe_length"]):
            frame = run_probe(chosen.model, chosen.params, chosen.fixed, chosen.member, probe,
                              vocabulary)
            scored = frame[frame["scored"]]
            lengths.append({**columns, "probe": probe.name, "sequence": probe.sequence,
                            "length": len(probe.tokens), "label": int(frame["label"].iloc[0]),
                            "correct_at_end": bool(scored["correct"].iloc[-1]),
                            "scored_lengths": len(scored),
                            "correct_lengths": int(scored["correct"].sum()),
                            "longest_correct": longest_correct(
                                scored["correct"].to_numpy(bool)) if probe.every_prefix else None})
            states.append(columns_first(frame, {k: columns[k] for k in
                                                ("task", "model", "input_dim", "hidden_dim")}))
        log.info("%s: %s", identity["model"], chosen.selection)
    write_csv(states_path, stamp(pd.concat(states, ignore_index=True), run, "cpu"))
    write_csv(lengths_path, stamp(pd.DataFrame(lengths), run, "cpu"))
