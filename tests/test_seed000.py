"""Seed 000's experiments (E8-E11) on known answers: the mutual information, memorizing a
few samples, the capacity data and search, the linear floor of E10 and a network that
follows it, the E11 teacher scored against itself; and the verdicts on hand-made tables."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from rnnstudy.analysis.e8_capacity import (
    capacity_data,
    mutual_information,
    points,
    search_progress,
    search_settings,
    train_point,
)
from rnnstudy.analysis.e9_relu_tanh import comparison
from rnnstudy.analysis.e10_per_unit import linear_floor, train_units
from rnnstudy.analysis.e11_random_functions import Teacher, function_task
from rnnstudy.analysis.regression import best_errors, normalized_error
from rnnstudy.claims.e8_capacity import capacity
from rnnstudy.claims.e9_relu_tanh import relu_tanh
from rnnstudy.claims.e10_per_unit import per_unit
from rnnstudy.claims.e11_random_functions import random_functions
from rnnstudy.claims.verdict import HELD, NOT_HELD, PARTLY, UNTESTABLE
from rnnstudy.models.stacked import PopulationRNN, Shape, largest_hidden
from rnnstudy.provenance import COLUMNS

from helpers import CPU

SEARCH = {"samples_per_param": [0.5, 4], "lr": [1e-3, 3e-2], "scale": [0.3, 1.5],
          "gate_bias": [-1, 3]}


# -- E8 ----------------------------------------------------------------------------------------

def test_mutual_information_known_answers():
    b = torch.tensor([100.0, 100.0, 100.0, 100.0])
    p = torch.tensor([0.5, 1.0, 0.0, 0.89])
    bits = mutual_information(b, p)
    assert bits[0] == pytest.approx(0.0, abs=1e-12)  # chance: nothing stored
    assert bits[1] == pytest.approx(100.0)  # all right: b bits
    assert bits[2] == pytest.approx(100.0)  # all wrong is as informative
    h = -(0.89 * math.log2(0.89) + 0.11 * math.log2(0.11))
    assert bits[3] == pytest.approx(100 * (1 - h))


def test_capacity_data_is_distinct_nested_and_seeded():
    x, y = capacity_data(1, 0, 500, 12)
    assert x.shape == (500, 12) and set(x.unique().tolist()) == {0.0, 1.0}
    assert len({tuple(row) for row in x.int().tolist()}) == 500  # distinct inputs
    assert 0.4 < y.mean() < 0.6
    x2, y2 = capacity_data(1, 0, 200, 12)
    assert torch.equal(x[:200], x2) and torch.equal(y[:200], y2)  # smaller b: a prefix
    x3, _ = capacity_data(1, 1, 200, 12)
    assert not torch.equal(x2, x3)  # another replicate, other data
    wide, _ = capacity_data(1, 0, 300, 40)  # the rejection path for large n_in
    assert len({tuple(row) for row in wide.int().tolist()}) == 300
    with pytest.raises(ValueError, match="distinct"):
        capacity_data(1, 0, 20, 4)


def test_search_settings_are_the_same_draws_within_their_ranges():
    a, b = search_settings(7, 40, SEARCH), search_settings(7, 40, SEARCH)
    pd.testing.assert_frame_equal(a, b)
    assert a.head(5).equals(search_settings(7, 5, SEARCH))  # more evaluations extend the list
    for name, (low, high) in SEARCH.items():
        assert a[name].between(low, high).all()
    # log-uniform: about half the learning rates below the geometric middle
    assert 0.25 < (a["lr"] < math.sqrt(1e-3 * 3e-2)).mean() < 0.75


def test_a_network_memorizes_samples_well_below_its_capacity():
    """b ≈ 0.05 × parameters random labels: every member ends with all of them right and
    stores b bits."""
    section = {"input_dim": 10, "unroll": 3, "steps": 300, "batch_size": 32,
               "evaluate_every": 100}
    settings = pd.DataFrame({"setting": [0, 1], "samples_per_param": [0.05, 0.05],
                             "lr": [0.02, 0.01], "scale": [0.8, 1.0], "gate_bias": [1.0, 0.0]})
    hidden = largest_hidden("gru", 10, 1, 1, 600)
    curve = train_point("gru", 1, 600, hidden, settings, 2, section, 3, CPU, torch.float32)
    best = curve.loc[curve.groupby(["setting", "replicate"])["bits"].idxmax()]
    assert (best["accuracy"] == 1.0).all()
    assert np.allclose(best["bits"], best["samples"])
    table = points(curve)
    assert len(table) == 1 and table["bits"].iloc[0] == pytest.approx(best["samples"].max())
    progress = search_progress(curve)
    assert progress["evaluations"].tolist() == [1, 2]
    assert progress["best_bits"].is_monotonic_increasing


def test_points_pick_the_best_setting_mean_over_replicates():
    rows = []
    for setting, bits in ((0, [10, 30]), (1, [18, 19]), (2, [5, 6])):
        for replicate, value in enumerate(bits):
            for step, factor in ((100, 0.5), (200, 1.0)):  # the best evaluation counts
                rows.append({"model": "rnn", "layers": 1, "budget": 100, "hidden_dim": 8,
                             "parameters": 90, "setting": setting, "replicate": replicate,
                             "samples_per_param": 1.0, "samples": 90, "lr": 0.01, "scale": 1.0,
                             "gate_bias": 0.0, "step": step, "train_loss": 0.1,
                             "accuracy": 0.9, "bits": value * factor, "diverged": False})
    curves = pd.DataFrame(rows)
    best = points(curves).iloc[0]
    assert best["best_setting"] == 0 and best["bits"] == 20  # mean 20 beats 18.5
    assert (best["bits_low"], best["bits_high"]) == (10, 30)
    assert best["bits_per_param"] == pytest.approx(20 / 90)
    assert search_progress(curves)["best_bits"].tolist() == [20, 20, 20]


def _points(bits_per_param: dict, budgets=(100, 200, 400, 800, 1600), layers=(1, 2)):
    rows = []
    for model, value in bits_per_param.items():
        for depth in layers:
            for budget in budgets:
                bpp = value(depth, budget) if callable(value) else value
                params = budget - 3
                rows.append({"model": model, "layers": depth, "budget": budget,
                             "hidden_dim": 4, "parameters": params, "best_setting": 0,
                             "bits": bpp * params, "bits_low": bpp * params * 0.95,
                             "bits_high": bpp * params * 1.05, "evaluations": 8,
                             "bits_per_param": bpp, "bits_per_param_low": bpp * 0.95,
                             "bits_per_param_high": bpp * 1.05})
    return pd.DataFrame(rows)


def _search(points_table):
    return points_table.assign(evaluations=1, best_bits=points_table["bits"])


def _curves(points_table, gain=0.1):
    """Two evaluations per point: the last adds `gain` to the one before."""
    return pd.concat([points_table.assign(step=500, bits=points_table["bits"] / (1 + gain)),
                      points_table.assign(step=1000)])


E8_CRITERIA = {"linear_r2": 0.95, "range": [3, 6], "about": [4, 6],
               "order": ["rnn", "ugrnn", "gru", "lstm"]}


def test_e8_verdicts_on_a_collins_like_grid_hold():
    table = _points({"rnn": 5.5, "ugrnn": lambda d, b: 5.2 + b / 1e5, "gru": 4.9,
                     "lstm": lambda d, b: 4.5 - b / 1e5})
    result = capacity(table, _search(table), _curves(table), E8_CRITERIA, 0.05, 0.95, 100)
    verdicts = [c["verdict"] for c in result["claims"]]
    assert verdicts == [HELD, HELD, HELD, HELD]
    assert result["last_evaluation_gain"]["median"] == pytest.approx(0.1)
    assert result["per_depth"]["rnn"][1]["fit"]["slope"] == pytest.approx(5.5)


def test_e8_verdicts_on_an_undertrained_grid_fail_and_name_the_numbers():
    # one bit per parameter, falling with size (not linear), LSTM above RNN
    table = _points({"rnn": lambda d, b: 1.5 - math.log(b) / 10, "lstm": 1.4})
    result = capacity(table, _search(table), _curves(table), E8_CRITERIA, 0.05, 0.95, 100)
    linear, ranged, about, order = result["claims"]
    assert ranged["verdict"] == NOT_HELD and about["verdict"] == NOT_HELD
    assert order["verdict"] == NOT_HELD and "rnn > lstm" in order["measured"]
    one_budget = _points({"rnn": 5.0}, budgets=(100,), layers=(1,))
    result = capacity(one_budget, _search(one_budget), _curves(one_budget), E8_CRITERIA, 0.05,
                      0.95, 8)
    assert result["claims"][0]["verdict"] == UNTESTABLE  # no line through one point
    assert result["claims"][3]["verdict"] == UNTESTABLE  # one architecture: no order


# -- E9 ----------------------------------------------------------------------------------------

def _with_provenance(frame):
    return frame.assign(**{c: "x" for c in COLUMNS})


def test_e9_table_sets_each_model_against_the_tanh_rnn():
    table = comparison(_with_provenance(_points({"rnn": 5.0, "rnn_relu": 3.5, "irnn": 3.6,
                                                 "gru": 4.0})))
    assert set(table["model"]) == {"rnn", "rnn_relu", "irnn"}
    assert table.groupby("model")["ratio_to_tanh"].first().round(3).to_dict() == {
        "irnn": 0.72, "rnn": 1.0, "rnn_relu": 0.7}


def test_e9_verdicts():
    criteria = {"alike": 0.1, "relu_about": [3, 4]}
    held = comparison(_with_provenance(_points({"rnn": 5.0, "rnn_relu": 3.5, "irnn": 3.6})))
    claims = relu_tanh(held, criteria, 0.05, 0.95)["claims"]
    assert [c["verdict"] for c in claims] == [HELD, HELD]
    # the identity init, not the ReLU: the ReLU RNN stores as much as the tanh RNN
    init = comparison(_with_provenance(_points({"rnn": 5.0, "rnn_relu": 5.0, "irnn": 3.5})))
    assert relu_tanh(init, criteria, 0.05, 0.95)["claims"][0]["verdict"] == PARTLY


# -- E10 ---------------------------------------------------------------------------------------

def test_linear_floor_is_what_the_best_rank_n_reconstruction_leaves():
    d = 16
    x = torch.randn(40000, d, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    _, _, v = torch.linalg.svd(x, full_matrices=False)
    for n in (4, 8, 12, 16, 20):
        basis = v[:min(n, d)].T
        error = ((x @ basis @ basis.T - x) ** 2).mean() / (x ** 2).mean()
        assert float(error) == pytest.approx(float(linear_floor([n], d).iloc[0]), abs=0.01)


def test_a_trained_network_follows_the_linear_floor_and_reaches_zero_at_d_units():
    section = {"input_dim": 8, "delay": 1, "steps": 400, "batch_size": 64,
               "evaluate_every": 100, "evaluation_examples": 512, "learning_rates": [0.01],
               "replicates": 1, "scale": 1.0, "gate_bias": 1.0}
    errors = {}
    for hidden in (4, 12):
        curve = train_units("rnn", hidden, section, 0, CPU, torch.float32)
        errors[hidden] = curve["error"].min()
    assert errors[4] == pytest.approx(0.5, abs=0.1)  # the floor (8 − 4)/8
    assert errors[12] < 0.1


def test_best_errors_pick_the_learning_rate_with_the_lowest_mean():
    rows = [{"model": "rnn", "hidden_dim": 8, "parameters": 100, "replicate": r, "lr": lr,
             "step": s, "error": e * (2 if s == 0 else 1), "train_loss": 0.1,
             "diverged": lr == 0.1 and r == 1}
            for lr, values in ((0.01, (0.3, 0.5)), (0.1, (0.1, 0.9)))
            for r, e in enumerate(values) for s in (0, 100)]
    best = best_errors(pd.DataFrame(rows), ["model", "hidden_dim", "parameters"]).iloc[0]
    assert best["best_lr"] == 0.01 and best["error"] == pytest.approx(0.4)
    assert (best["error_low"], best["error_high"]) == (0.3, 0.5)
    assert best["diverged"] == 1  # counted over every learning rate of the point


def _errors(values: dict, d=64):
    return pd.DataFrame([{"model": m, "hidden_dim": n, "parameters": n * n, "error": e,
                          "error_low": e, "error_high": e,
                          "linear_floor": max(d - n, 0) / d}
                         for m, by in values.items() for n, e in by.items()])


def test_e10_verdicts():
    criteria = {"zero_error": 0.05, "one_curve": 0.05}
    follows = {m: {32: 0.51 + k / 100, 56: 0.14, 64: 0.03, 72: 0.01} for k, m in
               enumerate(("rnn", "gru", "lstm"))}
    claims = per_unit(_errors(follows), 64, criteria, 12)["claims"]
    assert [c["verdict"] for c in claims] == [HELD, HELD]
    late = {"rnn": {32: 0.5, 56: 0.14, 64: 0.12, 72: 0.01}, "gru": {32: 0.7, 56: 0.2,
                                                                   64: 0.03, 72: 0.0}}
    claims = per_unit(_errors(late), 64, criteria, 12)["claims"]
    assert [c["verdict"] for c in claims] == [PARTLY, NOT_HELD]
    above_only = per_unit(_errors({"rnn": {64: 0.01, 72: 0.0}}), 64, criteria, 4)
    assert above_only["claims"][0]["verdict"] == UNTESTABLE


# -- E11 ---------------------------------------------------------------------------------------

def test_a_student_with_the_teachers_weights_has_no_error():
    teacher = Teacher(seed=5, hidden=12, gain=1.1, input_scale=0.3, length=50)
    student = PopulationRNN(Shape("rnn", 1, 12, 1, 1))
    x, y = function_task(teacher, 50)(torch.Generator().manual_seed(1), 4096)
    assert float(y.pow(2).mean()) == pytest.approx(1.0, rel=0.1)  # unit mean square
    params = teacher.params.to(torch.float32)
    outputs = student.outputs(student.unflatten(params), x.unsqueeze(1))
    assert float(normalized_error(outputs, y.unsqueeze(0))[0]) < 1e-8
    other = student.draw(torch.Generator().manual_seed(2), 1.1, 0.0).unsqueeze(0)
    assert float(normalized_error(student.outputs(student.unflatten(other), x.unsqueeze(1)),
                                  y.unsqueeze(0))[0]) > 0.1  # a different RNN does not


def test_e11_verdicts():
    def table(errors: dict):
        return pd.DataFrame([{"model": m, "budget": b, "hidden_dim": 4, "parameters": b - 5,
                              "error": e, "error_low": e * 0.9, "error_high": e * 1.1}
                             for m, by in errors.items() for b, e in by.items()])
    budgets = (64, 128, 256, 512, 1024)
    falling = {m: {b: f / b for b in budgets} for m, f in (("rnn", 10), ("lstm", 14))}
    claims = random_functions(table(falling), {"alike_factor": 2}, 0.05, 30)["claims"]
    assert [c["verdict"] for c in claims] == [HELD, HELD]
    apart = {"rnn": {b: 1 / b for b in budgets}, "lstm": {b: 0.5 for b in budgets}}
    claims = random_functions(table(apart), {"alike_factor": 2}, 0.05, 30)["claims"]
    assert [c["verdict"] for c in claims] == [PARTLY, NOT_HELD]
