"""The data dictionary, and the claim verdicts on hand-built tables."""
import subprocess
import sys

import pandas as pd

from rnnstudy.claims.e1_trainability import trainability
from rnnstudy.claims.e2_capacity import capacity
from rnnstudy.claims.e5_landscape import landscape_numbers
from rnnstudy.claims.e6_update_cosine import cosine_numbers
from rnnstudy.claims.verdict import HELD, NOT_HELD, PARTLY, UNTESTABLE

from helpers import ROOT, judged


def test_the_data_dictionary_is_generated_from_the_table_definitions():
    done = subprocess.run([sys.executable, "tools/data_dictionary.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def members(rows) -> pd.DataFrame:
    """rows: (task, model, input_dim, hidden_dim, val_acc)."""
    frame = pd.DataFrame(rows, columns=["task", "model", "input_dim", "hidden_dim", "val_acc"])
    frame["test_acc"] = frame["val_acc"]
    frame["diverged"] = False
    return frame


def grid(task, model, accuracies, shape=(2, 2)):
    """Rows of one task and model: one member per accuracy."""
    return [(task, model, *shape, a) for a in accuracies]


E1 = {"success": 0.9, "far_more": 2, "alpha": 0.05, "confidence": 0.95}


def test_gru_far_more_successes_holds_only_with_a_significant_factor():
    many, few = [0.95] * 10 + [0.5] * 2, [0.95] * 1 + [0.5] * 11
    result = trainability(members(grid("first", "gru", many) + grid("first", "rnn", few)), **E1)
    more = result["claims"][0]
    assert more["verdict"] == HELD and more["models"] == 24
    assert "10/12" in more["measured"] and "p = " in more["measured"]
    assert result["runs"]["first"]["gru"]["rate"]["low"] < 10 / 12 < \
        result["runs"]["first"]["gru"]["rate"]["high"]
    # Twice as many, but 2 of 12 against 1 of 12 is no evidence of "more": not held.
    result = trainability(members(grid("first", "gru", [0.95] * 2 + [0.5] * 10)
                                  + grid("first", "rnn", few)), **E1)
    assert result["claims"][0]["verdict"] == NOT_HELD
    # Neither model succeeds: nothing bears on the claim.
    result = trainability(members(grid("xor", "gru", [0.5] * 12)
                                  + grid("xor", "rnn", [0.5] * 12)), **E1)
    assert result["claims"][0]["verdict"] == UNTESTABLE
    assert result["claims"][1]["verdict"] == UNTESTABLE  # one task: no "harder"


def test_xor_harder_than_first_needs_something_learned_on_first():
    rows = (grid("first", "gru", [0.99, 0.97, 0.95, 0.93, 0.96, 0.98])
            + grid("xor", "gru", [0.55, 0.6, 0.52, 0.5, 0.58, 0.61])
            + grid("first", "rnn", [0.5, 0.51, 0.5, 0.49, 0.5, 0.52])
            + grid("xor", "rnn", [0.5, 0.5, 0.51, 0.49, 0.5, 0.5]))
    harder = trainability(members(rows), **E1)["claims"][1]
    # The GRU: held; the RNN learned nothing on first: not testable, not "not held".
    assert harder["verdict"] == HELD
    assert (harder["held"], harder["tested"], harder["untestable"]) == (1, 1, 1)
    rows = (grid("first", "gru", [0.95, 0.6, 0.55, 0.5])
            + grid("xor", "gru", [0.96, 0.6, 0.55, 0.5]))
    assert trainability(members(rows), **E1)["claims"][1]["verdict"] == NOT_HELD


E2 = {"success": 0.9, "tolerance": 0.02, "alpha": 0.05, "confidence": 0.95}


def test_capacity_is_judged_only_where_the_gru_reaches_success():
    rows = (grid("first", "rnn", [0.5] * 9 + [0.97], (2, 4))
            + grid("first", "gru", [0.98] * 10, (2, 4))
            + grid("first", "rnn", [0.5] * 10, (4, 4)) + grid("first", "gru", [0.99] * 10, (4, 4))
            + grid("xor", "rnn", [0.5] * 10, (2, 4)) + grid("xor", "gru", [0.6] * 10, (2, 4)))
    reach, rarer = capacity(members(rows), **E2)["claims"]
    # 2×4 reached, 4×4 not, xor not testable (the GRU's best is 60%): partly held, 1 of 2.
    assert reach["verdict"] == PARTLY
    assert (reach["held"], reach["tested"], reach["untestable"]) == (1, 2, 1)
    # Good inits: 1/10 vs 10/10 and 0/10 vs 10/10 are rarer; xor has none: not testable.
    assert rarer["verdict"] == HELD
    assert (rarer["held"], rarer["tested"], rarer["untestable"]) == (2, 2, 1)


def test_capacity_claims_without_any_success_are_not_testable():
    rows = grid("xor", "rnn", [0.5] * 30) + grid("xor", "gru", [0.55] * 30)
    assert judged(capacity(members(rows), **E2)) == [UNTESTABLE, UNTESTABLE]
    # As many good RNN inits as GRU ones: not rarer.
    rows = (grid("first", "rnn", [0.95] * 5 + [0.5] * 5)
            + grid("first", "gru", [0.95] * 6 + [0.5] * 4))
    assert judged(capacity(members(rows), **E2)) == [HELD, NOT_HELD]


def histogram(model, shape, counts):
    """E5 rows: {correct out of 100: settings}."""
    return [{"model": model, "input_dim": shape[0], "hidden_dim": shape[1], "correct": k,
             "accuracy": k / 100, "settings": n} for k, n in counts.items()]


E5 = {"ks_alike": 0.1, "tails": [0.6, 0.8], "tail_ratio": 2, "alpha": 0.05, "confidence": 0.95}


def test_landscapes_alike_in_bulk_and_in_the_upper_tail():
    bulk = {48: 3000, 50: 4000, 52: 2900}
    same = pd.DataFrame(histogram("rnn", (2, 2), {**bulk, 61: 100})
                        + histogram("gru", (2, 2), {**bulk, 62: 120}))
    alike = landscape_numbers(same, **E5)["claims"][0]
    assert alike["verdict"] == HELD and alike["unit"] == "untrained settings"
    assert alike["models"] == 2 * (9900 + 110)
    # The same bulk, but the GRU has 10× the settings above 60%: not alike.
    tail = pd.DataFrame(histogram("rnn", (2, 2), {**bulk, 61: 10})
                        + histogram("gru", (2, 2), {**bulk, 61: 100}))
    assert landscape_numbers(tail, **E5)["claims"][0]["verdict"] == NOT_HELD
    # A shifted bulk: not alike, whatever the tails.
    shifted = pd.DataFrame(histogram("rnn", (2, 2), bulk)
                           + histogram("gru", (2, 2), {50: 3000, 52: 4000, 54: 2900}))
    assert landscape_numbers(shifted, **E5)["claims"][0]["verdict"] == NOT_HELD


def curves(model, shape, candidates, min_val_acc=0.96):
    """E6 rows: candidates = [(final_val_acc, [cos(1), cos(2), ...]), ...]; init 0 studied."""
    rows = []
    for init, (final, cosine) in enumerate(candidates):
        for epoch, value in enumerate(cosine, start=1):
            rows.append({"task": "first", "model": model, "input_dim": shape[0],
                         "hidden_dim": shape[1], "selected_init": 0, "selected_val_acc": 0.99,
                         "min_val_acc": min_val_acc, "threshold_reached": True,
                         "candidates_reaching": 1, "candidates": len(candidates),
                         "init": init, "epoch": epoch, "cosine": value,
                         "val_acc": final, "final_val_acc": final, "selected": init == 0})
    return rows


E6 = {"early_epochs": 3, "alpha": 0.05, "confidence": 0.95}


def test_cosine_claims_use_every_candidate_reaching_the_threshold():
    smooth_rising = [(0.99, [0.1 + 0.01 * k, 0.5, 0.9, 0.9, 0.91]) for k in range(5)]
    jagged_flat = [(0.97, [0.4, 0.1 + 0.01 * k, 0.5, 0.0, 0.6]) for k in range(5)]
    table = pd.DataFrame(curves("gru", (2, 4), smooth_rising) + curves("rnn", (2, 4), jagged_flat))
    result = cosine_numbers(table, **E6)
    assert judged(result) == [HELD, HELD]
    assert result["claims"][0]["models"] == 10
    assert result["models"]["gru 2×4"]["reaching"] == 5
    # Swap the models: neither claim holds.
    swapped = pd.DataFrame(curves("rnn", (2, 4), smooth_rising)
                           + curves("gru", (2, 4), jagged_flat))
    assert judged(cosine_numbers(swapped, **E6)) == [NOT_HELD, NOT_HELD]
    # Four RNN candidates below the threshold leave one: a rank test of 5 against 1 cannot
    # reach p < 0.05 (its least p is 1/6), so nothing is testable.
    few = jagged_flat[:1] + [(0.5, c) for _, c in jagged_flat[1:]]
    table = pd.DataFrame(curves("gru", (2, 4), smooth_rising) + curves("rnn", (2, 4), few))
    assert judged(cosine_numbers(table, **E6)) == [UNTESTABLE, UNTESTABLE]
