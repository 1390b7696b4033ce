"""E4: the probes, the population forward and the claims on small hand-made tables."""
import numpy as np
import pandas as pd
import pytest
import torch

from rnnstudy.analysis.e4_trajectories import (
    longest_correct,
    pair_distance,
    prefix_labels,
    probe_pairs,
    recorded_steps,
    run_probes,
    stop_streams,
    wrong_from,
)
from rnnstudy.claims.e4_trajectories import claims, decide
from rnnstudy.data.sentiment import Vocabulary, label
from rnnstudy.models.classifier import PopulationClassifier

from helpers import judged

torch.set_num_threads(1)
VOCAB = Vocabulary()
CRITERIA = {"forget_length": 30, "meet_distance": 0.05, "meet_from": 7, "share": 0.5,
            "rule": "interval"}
REPORT = {"e4_trajectories": CRITERIA, "confidence": 0.95}


# -- probes ---------------------------------------------------------------------------------

def test_stop_prefix_pair_differs_only_by_stop_vs_sentiment_words_of_equal_net():
    by = {(p.name, p.sequence): p for p in probe_pairs(VOCAB, 30)}
    a, b = by[("stop_prefix", "A")].tokens, by[("stop_prefix", "B")].tokens
    sentiment = VOCAB.sentiment()
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    assert len(a) == len(b) == 10 and differ == [0, 1]
    assert all(sentiment[a[i]] == 0 for i in differ)  # stop words in A ...
    assert sorted(sentiment[b[i]] for i in differ) == [-1, 1]  # ... net 0 in B
    assert sentiment[list(a[:3])].sum() == sentiment[list(b[:3])].sum() == 0
    assert label("count", np.array([a, b]), VOCAB)[0].tolist() == [1, 1]


def test_one_word_probes_repeat_each_stop_word_and_add_seeded_random_streams():
    probes = [p for p in probe_pairs(VOCAB, 40, random_streams=3, seed=7)
              if p.name == "first_word"]
    pairs = max(VOCAB.positive, VOCAB.negative)
    assert len(probes) == 2 * pairs * (VOCAB.stop + 3)
    for p in probes:
        assert len(p.tokens) == 40 and all(w < VOCAB.stop for w in p.tokens[1:])
        if p.stream.startswith("stop "):
            assert set(p.tokens[1:]) == {int(p.stream.split()[1])}
        first = VOCAB.sentiment()[p.tokens[0]]
        assert first == (1 if p.sequence == "A" else -1)
        labels, valid = prefix_labels(np.array(p.tokens), VOCAB)
        assert valid.all() and (labels == (p.sequence == "A")).all()
    assert {p.stream for p in probes} == {f"stop {j}" for j in range(6)} | {
        "random 1", "random 2", "random 3"}
    same = stop_streams(VOCAB, 40, 3, seed=7)
    assert same == stop_streams(VOCAB, 40, 3, seed=7)
    assert same["random 1"] != stop_streams(VOCAB, 40, 3, seed=8)["random 1"]
    assert len(set(same["random 1"])) > 1


def test_probe_pairs_have_the_labels_their_definitions_give():
    probes = probe_pairs(VOCAB, 30, random_streams=2, seed=1)
    by = {(p.name, p.sequence): p for p in probes if p.pair == 0 and p.stream in ("", "stop 0")}
    a, b = by[("adjacent_swap", "A")].tokens, by[("adjacent_swap", "B")].tokens
    assert sorted(a) == sorted(b) and sum(x != y for x, y in zip(a, b)) == 2
    assert [p.sequence for p in probes] == ["A", "B"] * (len(probes) // 2)
    for p in probes:
        assert label("count", np.array([p.tokens]), VOCAB)[1][0]


# -- the population forward ------------------------------------------------------------------

def counter_and_forgetter() -> tuple[PopulationClassifier, torch.Tensor, torch.Tensor]:
    """Member 0 keeps a running sentiment sign (h = tanh(s + h)); member 1 keeps nothing
    (h = tanh(s)): after a stop word its state is 0 and P(positive) is 0.5."""
    model = PopulationClassifier("rnn", VOCAB.size, 1, 1)
    params, fixed = model.init_population([0, 1])
    w = model.unflatten(params, fixed)
    with torch.no_grad():
        for name in ("w_ih", "w_hh", "b_ih", "b_hh", "w_out", "b_out"):
            w[name].zero_()
        w["embedding"][:, :, 0] = torch.tensor(VOCAB.sentiment(), dtype=torch.float32)
        w["w_ih"][:, 0, 0] = 1.0
        w["w_hh"][0, 0, 0] = 1.0
        w["w_out"][:, 0] = torch.tensor([-5.0, 5.0])
    return model, params, fixed


def test_population_forward_scores_a_counter_right_and_a_forgetter_wrong():
    model, params, fixed = counter_and_forgetter()
    probes = probe_pairs(VOCAB, 60, random_streams=2, seed=3)
    run = run_probes(model, params, fixed, probes, VOCAB)
    for a, b in run.pairs():
        both = run.correct(a) & run.correct(b)
        assert both[0][run.scored[a]].all(), run.probes[a]  # the counter: always right
        if run.probes[a].name == "first_word":
            assert longest_correct(both[0]) == 60 and wrong_from(~both[0]) is None
            assert longest_correct(both[1]) == 1 and wrong_from(~both[1]) == 2
            assert pair_distance(run, a, b)[1, 1:].max() == 0  # forgotten: the states meet
    # The population forward equals each member run alone.
    alone = run_probes(model, params[1:], fixed[1:], probes, VOCAB)
    for i in range(len(probes)):
        np.testing.assert_allclose(run.states[i][1], alone.states[i][0], atol=1e-6)


def test_longest_correct_and_wrong_from_on_known_runs():
    assert longest_correct(np.array([True, True, False, True])) == 2
    assert longest_correct(np.array([False, True])) == 0
    assert longest_correct(np.ones(5, bool)) == 5
    assert wrong_from(np.array([False, True, False, True, True])) == 4
    assert wrong_from(np.array([True, True])) == 1
    assert wrong_from(np.array([True, False])) is None
    assert wrong_from(np.zeros(3, bool)) is None


def test_recorded_steps_are_dense_then_log_spaced_and_end_at_the_length():
    steps = recorded_steps(2000)
    assert list(steps[:50]) == list(range(1, 51)) and steps[-1] == 2000
    assert (np.diff(steps) > 0).all() and len(steps) < 120
    assert list(recorded_steps(20)) == list(range(1, 21))


# -- claims on hand-made tables ---------------------------------------------------------------

def tables(models: dict[str, list[dict]], length: int = 2000) -> dict[str, pd.DataFrame]:
    """Per model a list of candidates: val_acc, right_up_to / wrong_from of their two
    one-word pairs, the stop-prefix distance from word 7 on (tail), swap (correct_a, _b)."""
    rows, dist = [], []
    for model, candidates in models.items():
        reaching = sum(c["val_acc"] >= 0.98 for c in candidates)
        for init, c in enumerate(candidates):
            base = {"task": "count", "model": model, "input_dim": 4, "hidden_dim": 2,
                    "selected_init": 0, "selected_val_acc": candidates[0]["val_acc"],
                    "min_val_acc": 0.98, "threshold_reached": reaching > 0,
                    "candidates_reaching": reaching, "candidates": len(candidates),
                    "init": init, "val_acc": c["val_acc"], "reaching": c["val_acc"] >= 0.98,
                    "selected": init == 0}
            rows.append({**base, "probe": "stop_prefix", "pair": 0, "stream": "",
                         "length": 10, "correct_a": True, "correct_b": True,
                         "right_up_to": None, "wrong_from": None, "distance_end": c["tail"]})
            rows.append({**base, "probe": "adjacent_swap", "pair": 0, "stream": "",
                         "length": 10, "correct_a": c["swap"][0], "correct_b": c["swap"][1],
                         "right_up_to": None, "wrong_from": None, "distance_end": 0.5})
            for k, (right, wrong) in enumerate(c["pairs"]):
                rows.append({**base, "probe": "first_word", "pair": k, "stream": "stop 0",
                             "length": length, "correct_a": True, "correct_b": wrong is None,
                             "right_up_to": right, "wrong_from": wrong, "distance_end": 0.0})
            ident = {"model": model, "init": init}
            for step in range(1, 11):
                d = 1.0 if step < 7 else c["tail"]
                dist.append({**ident, "probe": "stop_prefix", "step": step, "distance_min": d,
                             "distance_median": d, "distance_max": d})
            dist.append({**ident, "probe": "first_word", "step": 1, "distance_min": 1.5,
                         "distance_median": 1.5, "distance_max": 1.5})
    lengths = pd.DataFrame(rows).astype({"right_up_to": "Int64", "wrong_from": "Int64"})
    return {"e4_trajectories_lengths": lengths,
            "e4_trajectories_distances": pd.DataFrame(dist)}


RNN_AS_SEED = {"val_acc": 0.99, "pairs": [(15, 28), (12, 31)], "tail": 0.3,
               "swap": (True, True)}
GRU_AS_SEED = {"val_acc": 0.99, "pairs": [(2000, None), (2000, None)], "tail": 0.01,
               "swap": (True, False)}
RNN_NOT = {"val_acc": 0.99, "pairs": [(2000, None), (40, 41)], "tail": 0.01,
           "swap": (False, True)}
GRU_NOT = {"val_acc": 0.99, "pairs": [(2000, None), (9, 10)], "tail": 0.2,
           "swap": (True, True)}
UNTRAINED = {"val_acc": 0.6, **{k: v for k, v in RNN_AS_SEED.items() if k != "val_acc"}}


def test_claims_hold_where_every_qualifying_candidate_behaves_as_the_seed_says():
    result = claims(tables({"rnn": [RNN_AS_SEED] * 8 + [{**RNN_NOT, "val_acc": 0.5}],
                            "gru": [GRU_AS_SEED] * 7}), {}, REPORT)
    assert judged(result) == ["held"] * 4
    meet = result["claims"][0]
    assert meet["models"] == 15 and "report.e4_trajectories.meet_distance" in meet["keys"]
    assert result["models"]["rnn"]["forgets"]["successes"] == 8  # the untrained one is left out
    assert result["models"]["rnn"]["qualifying"] == 8


def test_claims_do_not_hold_where_the_candidates_behave_otherwise():
    result = claims(tables({"rnn": [RNN_NOT] * 8, "gru": [GRU_NOT] * 8}), {}, REPORT)
    assert judged(result) == ["not held"] * 4
    # A majority short of the interval's bound is not enough either: 5 of 8.
    result = claims(tables({"rnn": [RNN_AS_SEED] * 5 + [RNN_NOT] * 3,
                            "gru": [GRU_AS_SEED] * 8}), {}, REPORT)
    assert judged(result)[1] == "not held"
    majority = claims(tables({"rnn": [RNN_AS_SEED] * 5 + [RNN_NOT] * 3,
                              "gru": [GRU_AS_SEED] * 8}), {},
                      {**REPORT, "e4_trajectories": {**CRITERIA, "rule": "majority"}})
    assert judged(majority)[1] == "held"


def test_one_model_holding_and_the_other_not_is_partly_held():
    result = claims(tables({"rnn": [RNN_NOT] * 8, "gru": [GRU_AS_SEED] * 8}), {}, REPORT)
    assert judged(result) == ["partly held", "not held", "held", "partly held"]


def test_claims_are_not_testable_without_qualifying_candidates_or_with_too_few():
    result = claims(tables({"rnn": [UNTRAINED] * 3, "gru": [{**GRU_AS_SEED, "val_acc": 0.7}]}),
                    {}, REPORT)
    assert judged(result) == ["not testable"] * 4
    # 3 of 3 cannot push a 95% exact interval above one half: not evidence either way.
    result = claims(tables({"rnn": [RNN_AS_SEED] * 3, "gru": [GRU_AS_SEED] * 3}), {}, REPORT)
    assert judged(result) == ["not testable"] * 4
    # Only one model in the run (the smoke preset): the other's parts are not testable.
    result = claims(tables({"rnn": [RNN_AS_SEED] * 8}), {}, REPORT)
    assert judged(result) == ["held", "held", "not testable", "held"]


def test_forgetting_beyond_the_probes_is_not_testable():
    result = claims(tables({"rnn": [RNN_AS_SEED] * 8}, length=20), {}, REPORT)
    assert result["claims"][1]["verdict"] == "not testable"


@pytest.mark.parametrize("successes, trials, rule, expected", [
    (6, 6, "interval", True), (5, 5, "interval", None), (0, 0, "majority", None),
    (3, 5, "majority", True), (2, 4, "majority", False), (12, 20, "interval", False)])
def test_decide_rule(successes, trials, rule, expected):
    assert decide(successes, trials, 0.5, rule, 0.95)[0] is expected
