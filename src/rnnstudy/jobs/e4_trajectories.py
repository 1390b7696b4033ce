"""Job: E4's probe pairs through every candidate of each model (one population forward per
probe length): the studied model's trajectories, and per candidate how long it keeps a lone
first word and how far apart each pair's states are."""
import logging
import time

import numpy as np
import pandas as pd
import torch

from ..analysis.e4_trajectories import (
    longest_correct,
    pair_distance,
    probe_pairs,
    recorded_steps,
    run_probes,
    wrong_from,
)
from ..atomic import write_csv
from ..data.sentiment import load_dataset
from ..provenance import stamp
from ..results import read_results
from .selected import load_selected

log = logging.getLogger(__name__)
IDENTITY = ("task", "model", "input_dim", "hidden_dim")


def probe_models(*, final: list[str], weights: list[str], dataset: str, states: str,
                 lengths: str, distances: str, params: dict, run: dict,
                 threads: int = 1) -> None:
    torch.set_num_threads(threads)  # more threads than cores slow these small steps down
    started = time.monotonic()
    vocabulary = load_dataset(dataset).vocabulary
    probes = probe_pairs(vocabulary, params["probe_length"], params["random_streams"],
                         params["seed"])
    state_rows, length_rows, distance_rows = [], [], []
    for identity, final_path, weight in zip(params["cells"], final, weights, strict=True):
        chosen = load_selected(identity, final_path, weight, params["min_val_acc"])
        val_acc = read_results(final_path, ("init", "val_acc")).set_index("init")["val_acc"]
        result = run_probes(chosen.model, chosen.params, chosen.fixed, probes, vocabulary)
        columns = chosen.columns()
        candidates = [{**{k: columns[k] for k in IDENTITY}, "init": init,
                       "val_acc": float(val_acc[init]),
                       "reaching": bool(val_acc[init] >= params["min_val_acc"]),
                       "selected": init == chosen.member}
                      for init in range(len(chosen.params))]
        state_rows.append(studied_states(result, chosen.member, columns))
        length_rows += pair_rows(result, columns, candidates)
        distance_rows += distance_table(result, candidates)
        log.info("%s: %s", identity["model"], chosen.selection)
    write_csv(states, stamp(pd.concat(state_rows, ignore_index=True), run, "cpu"))
    write_csv(lengths, stamp(pd.DataFrame(length_rows).astype(
        {"right_up_to": "Int64", "wrong_from": "Int64"}), run, "cpu"))
    write_csv(distances, stamp(pd.DataFrame(distance_rows).astype({"pairs_right": "Int64"}),
                               run, "cpu"))
    log.info("%d probes of up to %d words through %d cells in %.1fs", len(probes),
             params["probe_length"], len(params["cells"]), time.monotonic() - started)


def studied_states(result, member: int, columns: dict) -> pd.DataFrame:
    """The studied candidate's states along every probe (a long probe at its recorded
    steps)."""
    frames = []
    for i, probe in enumerate(result.probes):
        length = len(probe.tokens)
        steps = recorded_steps(length) if probe.every_prefix else np.arange(1, length + 1)
        at = steps - 1
        frame = pd.DataFrame({**{k: columns[k] for k in IDENTITY}, "probe": probe.name,
                              "pair": probe.pair, "stream": probe.stream,
                              "sequence": probe.sequence, "step": steps,
                              "word": np.array(probe.tokens)[at]})
        for unit in range(result.states[i].shape[-1]):
            frame[f"h{unit + 1}"] = result.states[i][member, at, unit]
        frame["p_positive"] = result.p_positive[i][member, at]
        frame["label"] = result.labels[i][at].astype(int)
        correct = pd.array(result.correct(i)[member, at], dtype="boolean")
        correct[~result.scored[i][at]] = pd.NA
        frame["correct"] = correct
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def pair_rows(result, columns: dict, candidates: list[dict]) -> list[dict]:
    """Per candidate and probe pair: right at the end? (first_word: right up to, wrong
    from), and the distance of the pair's final states."""
    rows = []
    for a, b in result.pairs():
        probe = result.probes[a]
        correct_a, correct_b = result.correct(a), result.correct(b)
        distance = pair_distance(result, a, b)
        for member, candidate in enumerate(candidates):
            both = correct_a[member] & correct_b[member]
            row = {**columns, "init": candidate["init"], "val_acc": candidate["val_acc"],
                   "reaching": candidate["reaching"], "selected": candidate["selected"],
                   "probe": probe.name, "pair": probe.pair, "stream": probe.stream,
                   "length": len(probe.tokens), "correct_a": bool(correct_a[member, -1]),
                   "correct_b": bool(correct_b[member, -1]), "right_up_to": None,
                   "wrong_from": None, "distance_end": float(distance[member, -1])}
            if probe.every_prefix:
                row["right_up_to"] = longest_correct(both)
                row["wrong_from"] = wrong_from(~both)
            rows.append(row)
    return rows


def distance_table(result, candidates: list[dict]) -> list[dict]:
    """Per candidate, probe and step: the distance of each pair's two states (min, median
    and max over the pairs of the probe: first-word pairs × stop streams), and how many
    pairs have both probes right at that step (where scored)."""
    rows = []
    for name in ("stop_prefix", "first_word"):
        pairs = [(a, b) for a, b in result.pairs() if result.probes[a].name == name]
        if not pairs:
            continue
        distance = np.stack([pair_distance(result, a, b) for a, b in pairs])  # [pairs, P, T]
        right = np.stack([result.correct(a) & result.correct(b) for a, b in pairs])
        scored = result.scored[pairs[0][0]]
        length = distance.shape[-1]
        steps = recorded_steps(length) if result.probes[pairs[0][0]].every_prefix \
            else np.arange(1, length + 1)
        for member, candidate in enumerate(candidates):
            for step in steps:
                d = distance[:, member, step - 1]
                rows.append({**candidate, "probe": name, "step": int(step),
                             "pairs": len(pairs), "distance_min": float(d.min()),
                             "distance_median": float(np.median(d)),
                             "distance_max": float(d.max()),
                             "pairs_right": (int(right[:, member, step - 1].sum())
                                             if scored[step - 1] else None)})
    return rows
