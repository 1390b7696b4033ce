"""Numbers and verdicts for the seed-001 experiments, computed from their tables."""
import numpy as np
import pandas as pd
import torch

from ..naming import MODEL_NAMES, shape_label
from .geometry import line_spread, linearly_separable
from .histograms import ks_distance, weighted_quantiles
from .update_cosine import roughness
from .verdict import claim, pct

LINE_SPREAD = 0.05  # E3: "on a line" if σ2/σ1 of the centered points is at most this
EARLY_EPOCHS = 3  # E6: "early" epochs


def _runs(frame: pd.DataFrame, success: float) -> dict:
    acc = frame["val_acc"]
    return {"runs": int(len(acc)), "successes": int((acc >= success).sum()),
            "success_rate": float((acc >= success).mean()), "mean_val_acc": float(acc.mean()),
            "median_val_acc": float(acc.median()), "best_val_acc": float(acc.max()),
            "mean_test_acc": float(frame["test_acc"].mean()),
            "diverged": int(frame["diverged"].sum())}


def trainability(table: pd.DataFrame, success: float) -> dict:
    """E1: success counts per task and model; claims 'GRU succeeds in far more cells than
    RNN' and 'xor is harder than first'."""
    runs = {task: {model: _runs(g, success) for model, g in by_task.groupby("model")}
            for task, by_task in table.groupby("task")}
    more, more_outcomes = [], []
    for task, by_model in runs.items():
        if {"rnn", "gru"} <= set(by_model):
            gru, rnn = by_model["gru"], by_model["rnn"]
            more.append(f"{task}: GRU {gru['successes']}/{gru['runs']}, "
                        f"RNN {rnn['successes']}/{rnn['runs']}")
            more_outcomes.append(gru["successes"] > rnn["successes"]
                                 and gru["successes"] >= 2 * rnn["successes"])
    harder, harder_outcomes = [], []
    if {"first", "xor"} <= set(runs):
        for model in sorted(set(runs["first"]) & set(runs["xor"])):
            first, xor = runs["first"][model]["mean_val_acc"], runs["xor"][model]["mean_val_acc"]
            harder.append(f"{MODEL_NAMES[model]}: mean accuracy first {pct(first)}, "
                          f"xor {pct(xor)}")
            harder_outcomes.append(xor < first)
    return {
        "runs": runs,
        "claims": [
            claim("GRU succeeds in far more cells than RNN",
                  f"per task, GRU runs reaching {pct(success)} validation accuracy are more "
                  "than RNN runs and at least twice as many",
                  more, more_outcomes),
            claim("xor is harder than first",
                  "per model, the mean validation accuracy over all cells and inits is lower "
                  "on xor than on first", harder, harder_outcomes),
        ],
    }


def capacity(table: pd.DataFrame, success: float, tolerance: float) -> dict:
    """E2: per task and shape, each model's best init and fraction of good inits; claims
    'the RNN's best init reaches the GRU's' and 'good inits are rarer for the RNN'."""
    shapes = {}
    reach, reach_outcomes, rarer, rarer_outcomes = [], [], [], []
    for (task, i, h), group in table.groupby(["task", "input_dim", "hidden_dim"]):
        by_model = {model: _runs(g, success) for model, g in group.groupby("model")}
        shapes.setdefault(task, {})[shape_label(i, h)] = by_model
        if not {"rnn", "gru"} <= set(by_model):
            continue
        rnn, gru = by_model["rnn"], by_model["gru"]
        where = f"{task} {shape_label(i, h)}"
        reach.append(f"{where}: best RNN {pct(rnn['best_val_acc'])} vs GRU "
                     f"{pct(gru['best_val_acc'])}")
        reach_outcomes.append(rnn["best_val_acc"] >= gru["best_val_acc"] - tolerance)
        rarer.append(f"{where}: good inits RNN {rnn['successes']}/{rnn['runs']}, "
                     f"GRU {gru['successes']}/{gru['runs']}")
        rarer_outcomes.append(rnn["success_rate"] < gru["success_rate"])
    return {
        "shapes": shapes,
        "claims": [
            claim("the RNN's best init reaches the GRU's accuracy (similar capacity)",
                  f"per task and shape, the RNN's best validation accuracy is within "
                  f"{pct(tolerance)} of the GRU's best (or above it)", reach, reach_outcomes),
            claim("good inits are rarer for the RNN",
                  f"per task and shape, a smaller fraction of RNN inits than GRU inits reach "
                  f"{pct(success)} validation accuracy", rarer, rarer_outcomes),
        ],
    }


def _selections(table: pd.DataFrame) -> dict:
    """Per model and shape: which candidate was studied and whether it met the bar."""
    keys = ["model", "input_dim", "hidden_dim"]
    columns = ["selected_init", "selected_val_acc", "min_val_acc", "threshold_reached",
               "candidates_reaching", "candidates"]
    out = {}
    for (model, i, h), group in table.groupby(keys):
        row = group.iloc[0]
        out[f"{model} {shape_label(i, h)}"] = {
            "model": model, "shape": shape_label(i, h),
            **{c: (row[c].item() if hasattr(row[c], "item") else row[c]) for c in columns}}
    return out


def _studied_note(selections: dict) -> list[str]:
    return [f"{name}: no candidate reached {pct(s['min_val_acc'])} (best {pct(s['selected_val_acc'])})"
            for name, s in selections.items() if not s["threshold_reached"]]


def word_geometry(vectors: pd.DataFrame) -> dict:
    """E3: are positive and negative words linearly separable in W_ih·x space, and does
    W_oh·W_ih·x lie on a line?"""
    models = {}
    separable, separable_outcomes, line, line_outcomes = [], [], [], []
    for model, data in vectors.groupby("model"):
        spaces = {space: part.pivot(index=["word", "kind"], columns="component", values="value")
                  for space, part in data.groupby("space")}

        def kind_points(space, kind):
            points = spaces[space]
            return points[points.index.get_level_values("kind") == kind].to_numpy()

        result = {
            "separable_embedding": linearly_separable(kind_points("embedding", "positive"),
                                                      kind_points("embedding", "negative")),
            "separable_input": linearly_separable(kind_points("input", "positive"),
                                                  kind_points("input", "negative")),
            "output_line_spread": line_spread(spaces["output"].to_numpy()),
        }
        norms = np.linalg.norm(spaces["input"].to_numpy(), axis=1)
        stop = spaces["input"].index.get_level_values("kind") == "stop"
        result["stop_word_ratio"] = float(norms[stop].mean() / norms[~stop].mean())
        models[model] = result
        name = MODEL_NAMES[model]
        separable.append(f"{name}: {'separable' if result['separable_input'] else 'not separable'}")
        separable_outcomes.append(result["separable_input"])
        line.append(f"{name}: σ2/σ1 = {result['output_line_spread']:.3f}")
        line_outcomes.append(result["output_line_spread"] <= LINE_SPREAD)
    selections = _selections(vectors)
    note = _studied_note(selections)
    return {
        "models": models, "selections": selections,
        "claims": [
            claim("sentiment words become linearly separable",
                  "per model, a line separates the positive from the negative words in W_ih·x",
                  separable + note, separable_outcomes),
            claim("W_oh·W_ih·x lies on a line",
                  f"per model, the 10 points' second singular value is at most "
                  f"{LINE_SPREAD:g} of the first (centered)", line + note, line_outcomes),
        ],
    }



def trajectories(states: pd.DataFrame, lengths: pd.DataFrame, probe_length: int) -> dict:
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
    selections = _selections(lengths)
    note = _studied_note(selections)
    return {
        "models": models, "selections": selections, "probe_length": probe_length,
        "claims": [
            claim("the GRU ignores stop words (the states of the stop-prefix pair meet; the "
                  "RNN's do not)",
                  "the GRU's two final states of the stop-prefix pair are closer than the RNN's",
                  ignore + note, ignore_outcomes),
            claim("the GRU stays right to very long lengths; the RNN forgets after ~15-30 steps",
                  "the GRU classifies both one-word probes right up to a longer length than "
                  "the RNN", longer + note, longer_outcomes),
        ],
    }


def landscape(table: pd.DataFrame, ks_alike: float = 0.1) -> dict:
    """E5: are the RNN's and the GRU's accuracy distributions over random settings alike?"""
    shapes = {}
    alike, alike_outcomes = [], []
    for (i, h), group in table.groupby(["input_dim", "hidden_dim"]):
        by_model = {}
        for model, hist in group.groupby("model"):
            acc, weights = hist["accuracy"].to_numpy(), hist["settings"].to_numpy()
            q = weighted_quantiles(acc, weights, (0.5, 0.99))
            by_model[model] = {"settings": int(weights.sum()),
                               "mean": float(np.average(acc, weights=weights)),
                               "median": float(q[0]), "p99": float(q[1]), "max": float(acc.max()),
                               "above_60": float(weights[acc >= 0.6].sum() / weights.sum())}
        entry = {"models": by_model}
        if {"rnn", "gru"} <= set(by_model):
            ks = ks_distance(group[group["model"] == "rnn"], group[group["model"] == "gru"])
            entry["ks"] = ks
            alike.append(f"{shape_label(i, h)}: KS distance {ks:.3f} (mean accuracy RNN "
                         f"{pct(by_model['rnn']['mean'])}, GRU {pct(by_model['gru']['mean'])}; "
                         f"best RNN {pct(by_model['rnn']['max'])}, GRU {pct(by_model['gru']['max'])})")
            alike_outcomes.append(ks <= ks_alike)
        shapes[shape_label(i, h)] = entry
    return {
        "shapes": shapes,
        "claims": [claim("the RNN's and the GRU's distributions over untrained settings are alike",
                         f"per shape, the Kolmogorov–Smirnov distance between the two accuracy "
                         f"distributions is at most {ks_alike:g}", alike, alike_outcomes)],
    }



def update_cosine(curves: pd.DataFrame) -> dict:
    """E6: is the GRU's cosine curve smoother, and does it rise more steeply early?"""
    studied, everyone = {}, {}
    for (model, i, h), group in curves.groupby(["model", "input_dim", "hidden_dim"]):
        name = f"{model} {shape_label(i, h)}"
        per_init = {}
        for init, curve in group.groupby("init"):
            cosine = torch.tensor(curve.sort_values("epoch")["cosine"].to_numpy())
            per_init[init] = {"roughness": roughness(cosine),
                              "early": float(cosine[:EARLY_EPOCHS].mean()),
                              "epochs": len(cosine),
                              "reached": bool(curve["final_val_acc"].iloc[0] >= curve["min_val_acc"].iloc[0])}
        chosen = int(group["selected_init"].iloc[0])
        studied[name] = per_init[chosen]
        reached = [v for v in per_init.values() if v["reached"]]
        everyone[name] = {"members": len(reached),
                          "median_roughness": float(np.median([v["roughness"] for v in reached])) if reached else None,
                          "median_early": float(np.median([v["early"] for v in reached])) if reached else None}
    smooth, smooth_outcomes, early, early_outcomes = [], [], [], []
    for (i, h) in sorted(set(zip(curves["input_dim"], curves["hidden_dim"]))):
        rnn, gru = studied.get(f"rnn {shape_label(i, h)}"), studied.get(f"gru {shape_label(i, h)}")
        if rnn is None or gru is None:
            continue
        where = shape_label(i, h)
        smooth.append(f"{where}: roughness GRU {gru['roughness']:.3f}, RNN {rnn['roughness']:.3f}")
        smooth_outcomes.append(gru["roughness"] < rnn["roughness"])
        early.append(f"{where}: mean cosine of epochs 1-{EARLY_EPOCHS} GRU {gru['early']:.3f}, "
                     f"RNN {rnn['early']:.3f}")
        early_outcomes.append(gru["early"] > rnn["early"])
    selections = _selections(curves)
    note = _studied_note(selections)
    return {
        "studied": studied, "all_reaching": everyone, "selections": selections,
        "claims": [
            claim("the GRU's cosine curve is smoother than the RNN's",
                  "per shape, the studied GRU's mean |cos(t) − cos(t−1)| is below the RNN's",
                  smooth + note, smooth_outcomes),
            claim("the GRU's curve rises steeply early",
                  f"per shape, the studied GRU's mean cosine over epochs 1-{EARLY_EPOCHS} is "
                  "above the RNN's", early + note, early_outcomes),
        ],
    }


def perturbation(retraining: pd.DataFrame, recover: float = 0.85, returned: float = 0.5) -> dict:
    """E7: does the GRU recover to ~90% at k = 1 (the RNN less), and do the weights stay away
    from W*?"""
    models = {}
    for model, data in retraining.groupby("model"):
        perturbed = data[data["scale"] > 0]
        last = perturbed["epoch"].max()
        per_scale = {}
        for scale, runs in perturbed.groupby("scale"):
            best = runs[runs["epoch"] > 0].groupby("draw")["val_acc"].max()
            start = runs[runs["epoch"] == 0].set_index("draw")
            end = runs[runs["epoch"] == last].set_index("draw")
            per_scale[f"{scale:g}"] = {
                "scale": float(scale),
                "initial_val_acc": float(start["val_acc"].mean()),
                "best_val_acc": float(best.mean()),
                "final_val_acc": float(end["val_acc"].mean()),
                "initial_distance": float(start["distance"].mean()),
                "final_distance": float(end["distance"].mean()),
                "distance_ratio": float((end["distance"] / start["distance"]).mean()),
            }
        reference = data[(data["scale"] == 0) & (data["epoch"] == 0)].iloc[0]
        models[model] = {"scales": per_scale, "reference_val_acc": float(reference["val_acc"]),
                         "sigma_w": float(data["sigma_w"].iloc[0]), "epochs": int(last)}
    recovery, recovery_outcomes = [], []
    if {"rnn", "gru"} <= set(models):
        scales = [s["scale"] for s in models["gru"]["scales"].values()]
        k = min(scales, key=lambda s: abs(s - 1.0))
        gru, rnn = models["gru"]["scales"][f"{k:g}"], models["rnn"]["scales"][f"{k:g}"]
        recovery.append(f"k = {k:g}: best accuracy within {models['gru']['epochs']} epochs, "
                        f"mean over draws: GRU {pct(gru['best_val_acc'])}, RNN {pct(rnn['best_val_acc'])}")
        recovery_outcomes.append(gru["best_val_acc"] >= recover and gru["best_val_acc"] > rnn["best_val_acc"])
    away, away_outcomes = [], []
    for model, result in models.items():
        for key, s in result["scales"].items():
            away.append(f"{MODEL_NAMES[model]} k = {key}: ‖W* − W‖ {s['initial_distance']:.2f} → "
                        f"{s['final_distance']:.2f}")
            away_outcomes.append(s["distance_ratio"] > returned)
    selections = _selections(retraining)
    note = _studied_note(selections)
    return {
        "models": models, "selections": selections,
        "claims": [
            claim("the GRU recovers (~90% at k = 1), the RNN less",
                  f"at the k nearest 1, the GRU's best retrained accuracy (mean over draws) is "
                  f"at least {pct(recover)} and above the RNN's", recovery + note, recovery_outcomes),
            claim("the weights do not return to W*",
                  f"per model and k, the distance to W* after retraining is more than "
                  f"{returned:g} of the distance right after the perturbation (mean over draws)",
                  away + note, away_outcomes),
        ],
    }
