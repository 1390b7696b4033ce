"""E7's verdicts on hand-made tables (held / not held / not testable), and its computations
on known answers: which columns are perturbed and by how much, the constant-lr retraining,
the candidates studied, the last-epoch and last-window values."""
import pandas as pd
import pytest
import torch

from rnnstudy.analysis.e7_perturbation import matrix_groups, perturb
from rnnstudy.claims.e7_perturbation import nearest_one, perturbation_numbers, run_values
from rnnstudy.claims.verdict import HELD, NOT_HELD, PARTLY, UNTESTABLE
from rnnstudy.jobs.e7_perturbation import retraining_protocol, studied_inits
from rnnstudy.models.classifier import PopulationClassifier
from rnnstudy.training.protocol import Schedule

from helpers import judged

CRITERIA = {"recovery": 0.85, "returned": 0.5, "decide_on": "last", "window": 5,
            "alpha": 0.05, "confidence": 0.95}
EPOCHS = 6


def runs(model, candidates, accuracy, ratio, scales=(0.5, 1.0), draws=3, init_val_acc=0.99,
         shape=(2, 4)):
    """Retraining rows: accuracy falls to 0.5 right after the perturbation and climbs
    linearly to `accuracy(init, scale, draw)` at the last epoch; the distance starts at
    2·k and ends at ratio(init, scale, draw)·2·k. Scale 0 is W* (accuracy 0.99)."""
    rows = []
    for init in range(candidates):
        members = [(0.0, 0)] + [(s, d) for s in scales for d in range(draws)]
        for scale, draw in members:
            end = accuracy(init, scale, draw) if scale else 0.99
            start = 0.5 if scale else 0.99
            d0 = 2 * scale if scale else 0.0
            d1 = d0 * ratio(init, scale, draw) if scale else 0.05
            for epoch in range(EPOCHS + 1):
                t = epoch / EPOCHS
                rows.append({
                    "task": "first", "model": model, "input_dim": shape[0],
                    "hidden_dim": shape[1], "selected_init": 0, "selected_val_acc": init_val_acc,
                    "min_val_acc": 0.98, "threshold_reached": init_val_acc >= 0.98,
                    "candidates_reaching": candidates if init_val_acc >= 0.98 else 0,
                    "candidates": 10, "init": init, "init_val_acc": init_val_acc,
                    "epoch": epoch, "val_acc": start + (end - start) * t,
                    "val_loss": 1 - t, "scale": scale, "draw": draw,
                    "distance": d0 + (d1 - d0) * t, "sigma_w": 0.4})
    return rows


def numbers(*parts, **criteria):
    return perturbation_numbers(pd.DataFrame([r for p in parts for r in p]),
                                **{**CRITERIA, **criteria})


# -- verdicts ---------------------------------------------------------------------------------

def test_gru_recovering_above_the_rnn_and_weights_staying_away_hold():
    gru = runs("gru", 4, lambda i, s, d: 0.93 + 0.01 * d, lambda i, s, d: 0.9)
    rnn = runs("rnn", 4, lambda i, s, d: 0.70 + 0.01 * i, lambda i, s, d: 0.8)
    result = numbers(gru, rnn)
    assert judged(result) == [HELD, HELD]
    first, second = result["claims"]
    assert first["models"] == 8 and first["tested"] == 2  # recovers; above the RNN
    assert second["tested"] == 4  # per model and k
    assert "report.e7_perturbation.recovery" in first["keys"]
    assert "report.e7_perturbation.returned" in second["keys"]
    gru_k1 = result["models"]["gru 2×4"]["scales"]["1"]
    assert gru_k1["runs"] == 12
    assert gru_k1["last_val_acc"]["median"] == pytest.approx(0.94)
    # mean of the last 5 of 6 epochs of a line from 0.5 to 0.94
    assert gru_k1["window_val_acc"]["median"] == pytest.approx(0.5 + 0.44 * 4 / 6)


def test_returning_weights_and_a_low_gru_are_not_held():
    gru = runs("gru", 4, lambda i, s, d: 0.75 + 0.01 * d, lambda i, s, d: 0.1)
    rnn = runs("rnn", 4, lambda i, s, d: 0.70, lambda i, s, d: 0.2)
    result = numbers(gru, rnn)
    # The GRU is above the RNN but not at 85%: partly; every distance fell to ≤ 0.2.
    assert judged(result) == [PARTLY, NOT_HELD]
    same = runs("rnn", 4, lambda i, s, d: 0.75 + 0.01 * d, lambda i, s, d: 0.1)
    assert judged(numbers(gru, same))[0] == NOT_HELD


def test_the_decision_window_can_differ_from_the_last_epoch():
    # Returned only by the end: the last epoch says "returned", the last-5 mean not.
    gru = runs("gru", 3, lambda i, s, d: 0.95, lambda i, s, d: 0.3)
    rnn = runs("rnn", 3, lambda i, s, d: 0.6, lambda i, s, d: 0.3)
    assert judged(numbers(gru, rnn))[1] == NOT_HELD
    assert judged(numbers(gru, rnn, decide_on="window"))[1] == HELD


def test_without_qualifying_candidates_nothing_is_testable():
    gru = runs("gru", 2, lambda i, s, d: 0.95, lambda i, s, d: 0.9, init_val_acc=0.9)
    rnn = runs("rnn", 2, lambda i, s, d: 0.6, lambda i, s, d: 0.9, init_val_acc=0.9)
    result = numbers(gru, rnn)
    assert judged(result) == [UNTESTABLE, UNTESTABLE]
    assert result["models"]["gru 2×4"]["qualifying"] == 0
    # A GRU alone: its recovery is testable, the comparison with the RNN is not.
    alone = numbers(runs("gru", 3, lambda i, s, d: 0.95, lambda i, s, d: 0.9))
    assert judged(alone) == [HELD, HELD]
    assert alone["claims"][0]["untestable"] == 1
    # One qualifying RNN run against one GRU run: a rank test cannot reject.
    one = numbers(runs("gru", 1, lambda i, s, d: 0.95, lambda i, s, d: 0.9, draws=1),
                  runs("rnn", 1, lambda i, s, d: 0.6, lambda i, s, d: 0.9, draws=1))
    assert one["claims"][0]["tested"] == 1 and one["claims"][0]["untestable"] == 1


def test_candidates_below_the_threshold_are_left_out_of_the_claims():
    good = runs("gru", 3, lambda i, s, d: 0.95, lambda i, s, d: 0.9)
    bad = [dict(r, init=r["init"] + 3, init_val_acc=0.9, val_acc=0.5, distance=0.0)
           for r in runs("gru", 3, lambda i, s, d: 0.5, lambda i, s, d: 0.0)]
    result = numbers(good, bad, runs("rnn", 3, lambda i, s, d: 0.6, lambda i, s, d: 0.9))
    assert result["models"]["gru 2×4"]["qualifying"] == 3
    assert result["models"]["gru 2×4"]["perturbed"] == 6
    assert judged(result) == [HELD, HELD]


# -- computations -----------------------------------------------------------------------------

def test_run_values_take_the_last_epoch_and_the_window_and_fail_diverged_runs():
    rows = runs("gru", 1, lambda i, s, d: 0.8, lambda i, s, d: 0.5, scales=(1.0,), draws=2)
    # draw 1 diverged after epoch 3
    rows = [r for r in rows if not (r["draw"] == 1 and r["scale"] == 1.0 and r["epoch"] > 3)]
    values = run_values(pd.DataFrame(rows), window=2).set_index(["scale", "draw"])
    ok, diverged = values.loc[(1.0, 0)], values.loc[(1.0, 1)]
    assert ok["acc_last"] == pytest.approx(0.8)
    assert ok["acc_window"] == pytest.approx((0.5 + 0.3 * 5 / 6 + 0.8) / 2)
    assert ok["ratio_last"] == pytest.approx(0.5)
    assert diverged["diverged"] and diverged["acc_last"] == 0 and diverged["ratio_last"] > 1e9
    assert nearest_one([0.1, 0.5, 2]) == 0.5 and nearest_one([0.5, 1.5]) == 0.5
    assert nearest_one([0, 0.25, 1, 2]) == 1


def test_only_the_equation_parameters_are_perturbed_by_default():
    model = PopulationClassifier("gru", 10, 2, 4)
    best = torch.randn(model.n_params, dtype=torch.float64)
    columns = model.columns(False)
    assert columns.start == 20  # the 10 × 2 word vectors come first
    perturbed, _, sigma = perturb(best, [1.0], 2, ("t",), columns)
    assert torch.equal(perturbed[:, :20], best[:20].expand(2, -1))
    assert sigma == pytest.approx(best[20:].std().item())
    assert not torch.equal(perturbed[0, 20:], best[20:])
    # with the word vectors, σ is of all columns and every column moves
    everything, _, sigma_all = perturb(best, [1.0], 1, ("t",), model.columns(True))
    assert sigma_all == pytest.approx(best.std().item())
    assert (everything[0] != best).all()


def test_matrix_groups_are_the_symbols_of_the_equations():
    rnn = PopulationClassifier("rnn", 10, 2, 4)
    groups = matrix_groups(rnn, False)
    assert groups.shape[0] == rnn.n_params - 20
    assert groups.unique().numel() == 6  # W_ih, W_hh, b_ih, b_hh, W_oh, b_oh
    gru = PopulationClassifier("gru", 10, 2, 4)
    groups = matrix_groups(gru, False)
    assert groups.unique().numel() == 14  # 3 gates × (W_i, W_h, b_i, b_h) + W_oh, b_oh
    assert torch.bincount(groups - groups.min()).tolist()[:3] == [8, 8, 8]  # W_ir, W_iz, W_in
    assert matrix_groups(gru, True).unique().numel() == 15  # and the word vectors
    # w_ih is [input, 3H] row-major: column c of every row belongs to gate c // H
    w_ih = matrix_groups(gru, False)[:2 * 12].view(2, 12)
    assert w_ih[:, :4].unique().numel() == 1 and w_ih[0, 4] != w_ih[0, 3]


def test_per_matrix_noise_has_each_matrix_its_own_scale():
    groups = torch.tensor([0] * 5000 + [1] * 5000)
    best = torch.cat([torch.randn(5000, dtype=torch.float64) * 0.1,
                      torch.randn(5000, dtype=torch.float64) * 2.0])
    perturbed, _, sigma = perturb(best, [0.5], 1, ("t",), slice(None), groups)
    noise = perturbed[0] - best
    assert noise[:5000].std().item() == pytest.approx(0.5 * 0.1, rel=0.05)
    assert noise[5000:].std().item() == pytest.approx(0.5 * 2.0, rel=0.05)
    assert sigma == pytest.approx(best.std().item())
    global_noise = perturb(best, [0.5], 1, ("t",))[0][0] - best
    assert global_noise[:5000].std().item() == pytest.approx(0.5 * sigma, rel=0.05)


def test_retraining_keeps_the_learning_rate_constant_for_every_epoch():
    training = {"lr": 1e-3, "lr_decay": 0.5, "min_lr": 1e-6, "patience": 4, "max_epochs": 150,
                "batch_size": 64}
    protocol = retraining_protocol({"retrain_epochs": 30, "retrain_lr": None,
                                    "training": training})
    assert (protocol.lr, protocol.lr_decay, protocol.min_lr) == (1e-3, 1.0, 0.0)
    assert protocol.max_epochs == 30 and protocol.patience > 30
    assert retraining_protocol({"retrain_epochs": 30, "retrain_lr": 3e-4,
                                "training": training}).lr == 3e-4
    schedule = Schedule.start(1, protocol, "cpu")
    index = torch.tensor([0])
    for epoch, acc in enumerate([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], start=1):
        schedule.update(index, epoch, torch.tensor([acc]), torch.tensor([True]), protocol)
        assert schedule.lr.item() == 1e-3 and schedule.running.item()


def test_studied_inits_are_every_qualifying_candidate_up_to_the_cap():
    final = pd.DataFrame({"init": [0, 1, 2, 3, 4], "val_acc": [0.97, 0.99, 0.5, 0.985, 0.99]})
    assert studied_inits(final, 0.98, None) == [1, 3, 4]
    assert studied_inits(final, 0.98, 2) == [1, 3]
    assert studied_inits(final, 0.999, 2) == [1]  # none reaches it: the best alone
