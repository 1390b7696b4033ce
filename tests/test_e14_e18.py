"""E14 (recurrent inits and clipping) and E18 (LSTM variants): the xor sequences, the paired
populations, the shards, and the verdicts on tables with known answers."""
import math

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from rnnstudy.analysis import e14_initialization as e14
from rnnstudy.analysis import e18_lstm_variants as e18
from rnnstudy.claims.e14_initialization import initialization
from rnnstudy.claims.e18_lstm_variants import lstm_variants
from rnnstudy.claims.verdict import HELD, NOT_HELD, PARTLY, UNTESTABLE
from rnnstudy.experiments import BY_ID

from helpers import CPU, ROOT

torch.set_num_threads(1)


# -- xor sequences ---------------------------------------------------------------------------

def test_xor_sequences_follow_seed_001s_rule():
    x, target = e18.xor_sequences(torch.Generator().manual_seed(3), 7, 400)
    assert x.shape == (7, 400, 10) and target.shape == (400,)
    assert torch.equal(x.sum(-1), torch.ones(7, 400))  # one word per step
    words = x.argmax(-1).T.numpy()  # [examples, T]
    sentiment = np.select([words >= 8, words >= 6], [-1, 1], 0)  # 6 stop, 2 +, 2 −
    for row, label in zip(sentiment, target.tolist()):
        first, second = row[row != 0][:2]  # fewer than two would have been redrawn
        assert label == int(first != second)
    assert 0.4 < target.float().mean() < 0.6
    again, _ = e18.xor_sequences(torch.Generator().manual_seed(3), 7, 400)
    assert torch.equal(x, again)


def test_short_xor_sequences_are_redrawn_until_labelled():
    # length 2: only sequences of two sentiment words qualify (16 of 100)
    x, target = e18.xor_sequences(torch.Generator().manual_seed(0), 2, 200)
    assert (x.argmax(-1) >= 6).all()
    assert torch.equal(target, (x[0].argmax(-1) // 2 != x[1].argmax(-1) // 2).long())


# -- E14: paired populations, clipping wired through -----------------------------------------

def e14_section(**changes):
    section = dict(inits=["default", "orthogonal", "identity", "he"], replicates=2, hidden=6,
                   optimizers={"adam": {"lr": 1e-2}, "sgd_nesterov": {"lr": 0.5, "momentum": 0.9}},
                   clip_norm=5.0, clip_value=5.0, steps=6, batch_size=8, evaluate_every=3,
                   evaluation_examples=64, converge_accuracy=0.99)
    return {**section, **changes}


def test_a_clip_that_never_binds_changes_nothing_and_runs_are_paired():
    loose = e14_section(clip_norm=1e9, clip_value=1e9)
    curves = {c: e14.train_inits("rnn_relu", 5, "adam", c, loose, 1, CPU, torch.float64)
              for c in e14.CLIPPINGS}
    columns = ["init", "replicate", "step", "train_loss", "accuracy"]
    for clipping in ("norm", "value"):
        pd.testing.assert_frame_equal(curves["none"][columns], curves[clipping][columns])
    # the inits differ, the replicates' shared parts do not: step-0 accuracy differs by init
    start = curves["none"][curves["none"]["step"] == 0]
    assert start.groupby("init")["accuracy"].apply(tuple).nunique() > 1


def test_a_binding_element_clip_reaches_the_update():
    # SGD: an element clip of 1e-12 keeps every parameter within steps × lr × (1 + μ)/(1 − μ)
    # × 1e-12 of its start: the runs score as frozen ones (learning rate 1e-30) on every
    # evaluation set, and not as unclipped ones.
    tight = e14_section(clip_value=1e-12)
    clipped = e14.train_inits("rnn", 5, "sgd_nesterov", "value", tight, 1, CPU, torch.float64)
    frozen = e14_section(optimizers={"sgd_nesterov": {"lr": 1e-30, "momentum": 0.9}})
    still = e14.train_inits("rnn", 5, "sgd_nesterov", "none", frozen, 1, CPU, torch.float64)
    free = e14.train_inits("rnn", 5, "sgd_nesterov", "none", tight, 1, CPU, torch.float64)
    assert set(clipped["lr"]) == {0.5} and set(clipped["optimizer"]) == {"sgd_nesterov"}
    assert clipped["accuracy"].tolist() == still["accuracy"].tolist()
    assert clipped["accuracy"].tolist() != free["accuracy"].tolist()


def test_runs_and_counts_keep_every_run():
    frame = e14.train_inits("rnn_relu", 4, "adam", "none", e14_section(), 1, CPU,
                            torch.float32)
    runs = e14.runs(frame)
    assert len(runs) == 4 * 2 and list(runs.columns[:7]) == e14.RUN
    counts = e14.counts(runs)
    assert (counts["runs"] == 2).all() and set(counts["init"]) == set(e14_section()["inits"])
    assert counts["successes"].sum() == runs["converged"].sum()


def test_e14_shards_hold_only_their_own_optimizer_and_clipping():
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    section = config["experiments"]["e14_initialization"]
    section["optimizers"]["sgd_nesterov"] = {"lr": 0.1, "momentum": 0.9}
    shards = BY_ID["e14_initialization"].shards(config)
    assert len(shards) == (len(section["models"]) * len(section["lengths"]) * 2
                           * len(section["clippings"]))
    assert len({name for name, _ in shards}) == len(shards)
    for name, params in shards:
        own = params["section"]
        assert list(own["optimizers"]) == [params["optimizer"]]
        assert ("clip_norm" in own) == (params["clipping"] == "norm")
        assert ("clip_value" in own) == (params["clipping"] == "value")
        assert "models" not in own and "lengths" not in own


# -- E18: populations ------------------------------------------------------------------------

def e18_section(**changes):
    section = dict(forget_biases=[0, 1, 5], replicates=2, hidden=5, scale=1.0, lr=1e-2,
                   steps=3, batch_size=8, evaluate_every=3, evaluation_examples=128,
                   converge_accuracy=0.99)
    return {**section, **changes}


@pytest.mark.parametrize("task", e18.TASKS)
def test_the_peephole_lstm_starts_as_the_lstm_of_its_replicate(task):
    frames = {cell: e18.train_variant(cell, task, 5, e18_section(), 3, CPU, torch.float64)
              for cell in ("lstm", "lstm_peephole")}
    start = {cell: f[f["step"] == 0].set_index(["forget_bias", "replicate"])["accuracy"]
             for cell, f in frames.items()}
    pd.testing.assert_series_equal(start["lstm"], start["lstm_peephole"])
    # ... and the forget bias changes the start (it is a member's own setting)
    assert start["lstm"].groupby("forget_bias").apply(tuple).nunique() > 1


def test_no_forget_gate_trains_once_per_replicate_and_stays_in_the_tables():
    frame = e18.train_variant("lstm_nf", "xor", 6, e18_section(), 3, CPU, torch.float32)
    runs = e18.runs(frame)
    assert len(runs) == 2 and runs["forget_bias"].isna().all()
    table = e18.accuracy(runs)
    assert len(table) == 1 and table["runs"].iloc[0] == 2


# -- verdicts --------------------------------------------------------------------------------

def e14_runs(groups: dict, replicates=8) -> pd.DataFrame:
    """groups: (length, model, clipping, init) → (replicates that converged, replicates that
    diverged)."""
    return pd.DataFrame([{"optimizer": "adam", "lr": 1e-3, "model": m, "length": t,
                          "clipping": c, "init": i, "replicate": r, "converged": r in good,
                          "diverged": r in bad}
                         for (t, m, c, i), (good, bad) in groups.items()
                         for r in range(replicates)])


def test_e14_verdicts():
    criteria = {"baseline_init": "default"}
    groups = {}
    for clipping in ("none", "norm"):
        unclipped = clipping == "none"
        groups |= {
            (10, "rnn_relu", clipping, "default"): ({0, 1}, set()),
            (10, "rnn_relu", clipping, "he"): (set(range(8)), set()),
            (10, "rnn_relu", clipping, "identity"): ({0, 1, 2}, set()),
            (20, "rnn_relu", clipping, "default"): (set(), set(range(5)) if unclipped else set()),
            (20, "rnn_relu", clipping, "he"): (set(), {0, 1, 2} if unclipped else set()),
            (20, "rnn_relu", clipping, "identity"): (set(range(8)), set()),
            (10, "rnn", clipping, "default"): (set(range(8)), set()),
            (10, "rnn", clipping, "he"): (set(range(8)), set())}
    out = initialization(e14_runs(groups), criteria, 0.05, 0.95)
    he, identity, clip = out["claims"]
    # He: 6 replicates converge with He only, none with the default only at T = 10 (p = 1/64);
    # at T = 20 neither converges while the identity does: testable, and not held
    assert he["verdict"] == PARTLY and (he["held"], he["tested"]) == (2, 4)
    assert identity["verdict"] == PARTLY and identity["held"] == 2  # T = 20 only
    # ReLU at T = 20: 8 of 24 pairs diverge without clipping only: held; elsewhere nothing
    # diverged without clipping: not testable
    assert clip["verdict"] == HELD and (clip["held"], clip["untestable"]) == (1, 2)
    assert out["diverged"] == 8 and out["runs"] == 8 * len(groups)
    row = next(r for r in out["counts"] if r["length"] == 10 and r["init"] == "he"
               and r["model"] == "rnn_relu")
    assert (row["successes"], row["runs"]) == (8, 8) and row["rate"].startswith("8/8")
    nothing = initialization(e14_runs({(10, "rnn_relu", "none", i): (set(), set())
                                       for i in ("default", "he", "identity")}),
                             criteria, 0.05, 0.95)
    assert [c["verdict"] for c in nothing["claims"]] == [UNTESTABLE] * 3
    few = initialization(e14_runs(groups, replicates=4), criteria, 0.05, 0.95)
    assert few["claims"][0]["verdict"] == UNTESTABLE  # 4 pairs: p ≥ 1/16 > 0.05


def e18_runs(accuracy: dict, replicates=5):
    """accuracy: (task, T, model, bias) → final accuracy of every replicate (bias None: no
    forget gate)."""
    return pd.DataFrame([{"task": t, "length": n, "model": m,
                          "forget_bias": math.nan if b is None else b, "replicate": r,
                          "converged": a >= 0.95, "converged_at": 100 if a >= 0.95 else math.nan,
                          "diverged": False, "best_accuracy": a, "final_accuracy": a + 0.001 * r,
                          "steps": 100}
                         for (t, n, m, b), a in accuracy.items() for r in range(replicates)])


def test_e18_verdicts():
    criteria = {"reference_bias": 1, "alike": 0.1}
    table = {}
    for task, length in (("palindrome", 10), ("palindrome", 20), ("xor", 25)):
        table |= {(task, length, "lstm", 0.0): 0.1, (task, length, "lstm", 1.0): 0.97,
                  (task, length, "lstm_cifg", 0.0): 0.15, (task, length, "lstm_cifg", 1.0): 0.6,
                  (task, length, "lstm_peephole", 0.0): 0.1,
                  (task, length, "lstm_peephole", 1.0): 0.96,
                  (task, length, "lstm_nf", None): 0.98 if task == "xor" else 0.2}
    out = lstm_variants(e18_runs(table), criteria, 0.05)
    bias, alike, forget = out["claims"]
    assert bias["verdict"] == HELD and bias["tested"] == 2  # the longest length of each task
    assert alike["verdict"] == PARTLY and (alike["held"], alike["tested"]) == (9, 12)
    assert forget["verdict"] == PARTLY and forget["held"] == 1  # palindrome yes, xor no
    assert out["accuracy"]["xor"]["25"]["lstm_nf none"]["runs"] == 5
    few = lstm_variants(e18_runs(table, replicates=3), criteria, 0.05)
    assert few["claims"][0]["verdict"] == UNTESTABLE  # 3 against 3 cannot reach 0.05
    worse = {k: (0.1 if k[2] == "lstm" and k[3] == 1.0 else v) for k, v in table.items()}
    assert lstm_variants(e18_runs(worse), criteria, 0.05)["claims"][0]["verdict"] == NOT_HELD
