"""Job: E4's hidden-state trajectories and length generalization of each studied model."""
import logging

import pandas as pd

from ..analysis.e4_trajectories import longest_correct, probe_pairs, run_probe
from ..atomic import write_csv
from ..data.sentiment import load_dataset
from ..provenance import stamp
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def probe_models(*, final: list[str], weights: list[str], dataset: str, states: str,
                 lengths: str, params: dict, run: dict) -> None:
    vocabulary = load_dataset(dataset).vocabulary
    state_rows, length_rows = [], []
    for identity, final_path, weight in zip(params["cells"], final, weights, strict=True):
        chosen = load_selected(identity, final_path, weight, params["min_val_acc"])
        columns = chosen.columns()
        for probe in probe_pairs(vocabulary, params["probe_length"]):
            frame = run_probe(chosen.model, chosen.params, chosen.fixed, chosen.member, probe,
                              vocabulary)
            scored = frame[frame["scored"]]
            length_rows.append({**columns, "probe": probe.name, "sequence": probe.sequence,
                            "length": len(probe.tokens), "label": int(frame["label"].iloc[0]),
                            "correct_at_end": bool(scored["correct"].iloc[-1]),
                            "scored_lengths": len(scored),
                            "correct_lengths": int(scored["correct"].sum()),
                            "longest_correct": longest_correct(
                                scored["correct"].to_numpy(bool)) if probe.every_prefix else None})
            state_rows.append(columns_first(frame, {k: columns[k] for k in
                                                ("task", "model", "input_dim", "hidden_dim")}))
        log.info("%s: %s", identity["model"], chosen.selection)
    write_csv(states, stamp(pd.concat(state_rows, ignore_index=True), run, "cpu"))
    write_csv(lengths, stamp(pd.DataFrame(length_rows), run, "cpu"))
