"""E4's claims (seed 001 §IV.B): the GRU ignores stop words and stays right to very long
lengths; the RNN forgets after ~15-30 steps."""
import numpy as np
import pandas as pd

from .compare import studied_result


def trajectory_numbers(states: pd.DataFrame, lengths: pd.DataFrame,
                       probe_length: int) -> dict:
    """E4: does the GRU ignore stop words (the stop-prefix pair's states meet) and classify
    a lone leading sentiment word for longer than the RNN?"""
    models = {}
    for model, data in states.groupby("model"):
        pair = data[data["probe"] == "stop_prefix"].pivot(index="step", columns="sequence")
        units = [c for c in data.columns if c.startswith("h") and c[1:].isdigit()]
        gap = np.sqrt(sum((pair[(u, "A")] - pair[(u, "B")]) ** 2 for u in units))
        first = lengths[(lengths["model"] == model) & (lengths["probe"] == "first_word")]
        swap = lengths[(lengths["model"] == model) & (lengths["probe"] == "adjacent_swap")]
        models[model] = {
            "stop_prefix_final_gap": float(gap.iloc[-1]),
            "stop_prefix_gap": [float(g) for g in gap],
            "longest_correct": int(first["longest_correct"].min()),
            "swap_correct": int(swap["correct_at_end"].sum()),
        }
    ignore, ignore_outcomes, longer, longer_outcomes = [], [], [], []
    if {"rnn", "gru"} <= set(models):
        rnn, gru = models["rnn"], models["gru"]
        ignore.append(f"distance between the pair's final states: GRU "
                      f"{gru['stop_prefix_final_gap']:.3f}, RNN {rnn['stop_prefix_final_gap']:.3f}")
        ignore_outcomes.append(gru["stop_prefix_final_gap"] < rnn["stop_prefix_final_gap"])
        longer.append(f"both probes right up to: GRU {gru['longest_correct']} words, RNN "
                      f"{rnn['longest_correct']} words (probes up to {probe_length})")
        longer_outcomes.append(gru["longest_correct"] > rnn["longest_correct"])
    return studied_result(lengths, {"models": models, "probe_length": probe_length}, [
        ("the GRU ignores stop words (the states of the stop-prefix pair meet; the "
         "RNN's do not)",
         "the GRU's two final states of the stop-prefix pair are closer than the RNN's",
         ignore, ignore_outcomes),
        ("the GRU stays right to very long lengths; the RNN forgets after ~15-30 steps",
         "the GRU classifies both one-word probes right up to a longer length than "
         "the RNN", longer, longer_outcomes),
    ])


def claims(tables: dict[str, pd.DataFrame], section: dict, report: dict) -> dict:
    return trajectory_numbers(tables["e4_trajectories_states"],
                              tables["e4_trajectories_lengths"], section["probe_length"])
