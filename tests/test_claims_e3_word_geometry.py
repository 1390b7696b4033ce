"""E3's verdicts on hand-made tables (held / not held / not testable), and its measures on
points whose answers are known."""
import json

import numpy as np
import pandas as pd
import pytest
import torch

from rnnstudy.analysis.e3_word_geometry import readout_table, untrained_weights, word_spaces
from rnnstudy.claims.e3_word_geometry import (
    can_reject,
    geometry_numbers,
    hull_gap,
    normalized_margin,
    paired_gain,
    readout_flatness,
)
from rnnstudy.claims.verdict import HELD, NOT_HELD, UNTESTABLE
from rnnstudy.models.classifier import PopulationClassifier

from helpers import judged

KINDS = ["stop"] * 6 + ["positive"] * 2 + ["negative"] * 2
CRITERIA = {"min_margin": 0.5, "spread": 0.05, "alpha": 0.05, "confidence": 0.95}


# -- measures on known points ---------------------------------------------------------------

def test_hull_gap_is_the_distance_between_the_convex_hulls():
    assert hull_gap([[0, 0], [1, 0]], [[0, 2], [1, 2]]) == pytest.approx(2, abs=1e-6)
    assert hull_gap([[0, 0], [1, 1]], [[0, 1], [1, 0]]) == pytest.approx(0, abs=1e-6)  # cross
    assert hull_gap([[0, 0]], [[-1, 1], [1, 1]]) == pytest.approx(1, abs=1e-6)  # to an edge
    assert hull_gap([[0, 0], [0, 0]], [[3, 4], [6, 8]]) == pytest.approx(5, abs=1e-6)
    assert hull_gap([[0, 0, 0], [1, 0, 0]], [[0, 1, 3], [0, -1, 3]]) == pytest.approx(3, abs=1e-6)
    assert hull_gap([[0, 0], [10, 0]], [[5, -1], [5, 1]]) == pytest.approx(0, abs=1e-6)


def test_normalized_margin_is_the_gap_over_the_largest_distance():
    assert normalized_margin(np.array([[1.0, 1], [1, 1]]), np.array([[4.0, 5], [4, 5]])) == \
        pytest.approx(1, abs=1e-6)  # each class one point
    # collinear [0, 1] gap [3, 4]: gap 2 over extent 4
    assert normalized_margin(np.array([[0.0, 0], [1, 0]]), np.array([[3.0, 0], [4, 0]])) == \
        pytest.approx(0.5, abs=1e-6)
    assert normalized_margin(np.array([[0.0, 0], [1, 1]]), np.array([[0.0, 1], [1, 0]])) == \
        pytest.approx(0, abs=1e-6)


def test_readout_flatness_is_the_line_it_draws_from_a_round_cloud():
    w_out = np.array([[1.0, -1.0], [0.3, 0.3]])
    assert readout_flatness(w_out) == pytest.approx(0.3)
    circle = np.array([[np.cos(t), np.sin(t)] for t in np.linspace(0, 2 * np.pi, 40,
                                                                   endpoint=False)])
    points = circle @ w_out
    singular = np.linalg.svd(points - points.mean(0), compute_uv=False)
    assert singular[1] / singular[0] == pytest.approx(0.3)


def test_paired_gain_is_an_exact_mcnemar_test():
    result = paired_gain([True] * 6, [False] * 6)
    assert result == {"gained": 6, "lost": 0, "p": pytest.approx(0.5 ** 6)}
    assert paired_gain([True, False], [True, False])["p"] == 1.0  # nothing changed
    assert paired_gain([True, False, True], [False, True, True])["p"] == pytest.approx(0.75)
    assert not can_reject(4, 0.05) and can_reject(5, 0.05) and not can_reject(0, 0.05)


def test_untrained_weights_are_the_initial_weights_drawn_again():
    for embedding in ("learned", "fixed"):
        model = PopulationClassifier("gru", 10, 2, 2, embedding=embedding)
        initial, fixed = model.init_population([11, 12, 13])
        saved = {"init_seeds": [11, 12, 13], "params": initial + 1.0, "fixed": fixed}
        again, fixed_again = untrained_weights(model, saved)
        assert torch.equal(again, initial) and torch.equal(fixed_again, fixed)
    with pytest.raises(ValueError, match="do not match"):
        untrained_weights(model, {**saved, "fixed": fixed + 1})


def test_readout_table_lists_w_oh():
    model = PopulationClassifier("rnn", 10, 2, 2)
    params, fixed = model.init_population([3])
    table = readout_table(model, params, fixed, 0)
    w_out = model.unflatten(params, fixed)["w_out"][0]
    assert table.pivot(index="unit", columns="class", values="value").to_numpy() == \
        pytest.approx(w_out.numpy())
    spaces = word_spaces(model, params, fixed, 0)
    np.testing.assert_allclose(spaces["output"], spaces["input"] @ w_out.numpy(), atol=1e-6)


# -- verdicts on hand-made tables -----------------------------------------------------------

def lined_up(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Word points on one line, sentiments far apart (separable, margin ≈ 0.9), and a
    readout flattening by 0.3 + 0.01k: points on a line, flatter than the readout."""
    x = np.array([0.1 * j for j in range(6)] + [2, 2.2, -2, -2.2])
    return np.stack([x, np.zeros(10)], 1), np.array([[1.0, -1.0], [0.3 + 0.01 * k] * 2])


def round_cloud(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Word points that the readout makes round (σ2/σ1 = 1), with the positive words between
    the negative ones on the circle (no separating line)."""
    angle = np.array([0, 1, 2, 3, 4, 5, 6, 8, 7, 9]) * 2 * np.pi / 10
    w_out = np.array([[1.0, -1.0], [0.3 + 0.01 * k] * 2])
    shrink = np.diag([w_out[1, 0], 1.0])  # (shrink @ w_out) is 0.3 × a rotation
    return np.stack([np.cos(angle), np.sin(angle)], 1) @ shrink, w_out


def candidate_rows(model, init, weights, acc, points, w_out, min_val_acc=0.87):
    columns = {"task": "count", "model": model, "input_dim": 2, "hidden_dim": 2,
               "selected_init": 0, "selected_val_acc": 0.99, "min_val_acc": min_val_acc,
               "threshold_reached": True, "candidates_reaching": 1, "candidates": 1,
               "init": init, "weights": weights, "final_val_acc": acc, "selected": init == 0}
    words = []
    for space, values in (("embedding", points), ("input", points), ("output", points @ w_out)):
        for word, point in enumerate(values):
            for component, value in enumerate(point, start=1):
                words.append({**columns, "word": word, "kind": KINDS[word], "space": space,
                              "component": component, "value": float(value)})
    readout = [{**columns, "unit": unit + 1, "class": c, "value": float(w_out[unit, c])}
               for unit in range(2) for c in range(2)]
    return words, readout


def tables(candidates):
    """candidates: (model, init, accuracy, trained geometry, untrained geometry)."""
    words, readout = [], []
    for model, init, acc, trained, untrained in candidates:
        for weights, geometry in (("trained", trained), ("untrained", untrained)):
            w, r = candidate_rows(model, init, weights, acc, *geometry)
            words += w
            readout += r
    return pd.DataFrame(words), pd.DataFrame(readout)


def test_e3_claims_use_every_candidate_reaching_the_threshold_against_untrained_weights():
    good = [(model, k, 0.99, lined_up(k), round_cloud(k)) for model in ("rnn", "gru")
            for k in range(6)]
    # a seventh candidate per model below the threshold: ignored, though it would spoil
    bad = [(model, 6, 0.5, round_cloud(0), lined_up(0)) for model in ("rnn", "gru")]
    result = geometry_numbers(*tables(good + bad), **CRITERIA)
    assert judged(result) == [HELD, HELD, HELD]
    assert result["models"]["rnn 2×2"]["reaching"] == 6
    assert result["claims"][0]["models"] == 12
    separable = result["models"]["gru 2×2"]["separable"]
    assert separable["trained"]["rate"] == 1 and separable["untrained"]["rate"] == 0
    assert separable["p"] == pytest.approx(0.5 ** 6)
    assert result["models"]["gru 2×2"]["column_sum_drift"] == pytest.approx(0)
    assert result["studied"]["rnn 2×2"]["line_spread"] == pytest.approx(0, abs=1e-9)
    assert result["studied"]["rnn 2×2"]["readout_flatness"] == pytest.approx(0.3)
    assert result["claims"][0]["keys"][0] == "report.e3_word_geometry.min_margin"
    json.dumps(result)  # numbers.json takes plain Python numbers only
    # The same points before and after training: nothing "becomes" (trained = untrained).
    same = [(m, k, acc, t, t) for m, k, acc, t, _ in good]
    assert judged(geometry_numbers(*tables(same), **CRITERIA))[:2] == [NOT_HELD, NOT_HELD]


def test_e3_claims_not_held_when_training_undoes_the_geometry():
    swapped = [(model, k, 0.99, round_cloud(k), lined_up(k)) for model in ("rnn", "gru")
               for k in range(6)]
    assert judged(geometry_numbers(*tables(swapped), **CRITERIA)) == [NOT_HELD] * 3


def test_e3_claims_not_testable_with_too_few_candidates_reaching_the_threshold():
    # 4 reach it: a paired test of 4 cannot reach p < 0.05 (its least p is 1/16)
    few = [("gru", k, 0.99 if k < 4 else 0.5, lined_up(k), round_cloud(k)) for k in range(6)]
    result = geometry_numbers(*tables(few), **CRITERIA)
    assert judged(result) == [UNTESTABLE] * 3
    assert "too few" in result["claims"][0]["measured"]
    none = [("gru", k, 0.5, lined_up(k), round_cloud(k)) for k in range(6)]
    result = geometry_numbers(*tables(none), **CRITERIA)
    assert judged(result) == [UNTESTABLE] * 3 and result["claims"][2]["models"] == 0
