"""The data dictionary, and the claim verdicts on hand-built tables."""
import subprocess
import sys

import pandas as pd

from rnnstudy.analysis.e1_trainability import trainability
from rnnstudy.analysis.e2_capacity import capacity
from rnnstudy.analysis.verdict import HELD, NOT_HELD, PARTLY, UNTESTABLE

from conftest import ROOT


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


def test_trainability_claims():
    rows = []
    for task, gru_acc, rnn_acc in (("first", [0.99, 0.95, 0.97], [0.5, 0.92, 0.5]),
                                   ("xor", [0.6, 0.93, 0.55], [0.5, 0.5, 0.5])):
        rows += [(task, "gru", 2, h, a) for h, a in zip((2, 4, 8), gru_acc)]
        rows += [(task, "rnn", 2, h, a) for h, a in zip((2, 4, 8), rnn_acc)]
    result = trainability(members(rows), success=0.9)
    more, harder = result["claims"]
    assert result["runs"]["first"]["gru"]["successes"] == 3
    assert result["runs"]["first"]["rnn"]["successes"] == 1
    assert more["verdict"] == HELD and (more["held"], more["tested"]) == (2, 2)
    assert harder["verdict"] == HELD
    assert "GRU 3/3, RNN 1/3" in more["measured"]


def test_trainability_claim_fails_when_rnn_is_as_good():
    rows = [("first", m, 2, 2, 0.95) for m in ("rnn", "gru")]
    more, harder = trainability(members(rows), success=0.9)["claims"]
    assert more["verdict"] == NOT_HELD
    assert harder["verdict"] == UNTESTABLE  # one task only


def test_capacity_claims():
    rows = [("first", "rnn", 2, 4, a) for a in (0.5, 0.5, 0.5, 0.95)]
    rows += [("first", "gru", 2, 4, a) for a in (0.96, 0.97, 0.5, 0.95)]
    rows += [("first", "rnn", 4, 4, a) for a in (0.5, 0.6)]
    rows += [("first", "gru", 4, 4, a) for a in (0.99, 0.99)]
    reach, rarer = capacity(members(rows), success=0.9, tolerance=0.02)["claims"]
    assert reach["verdict"] == PARTLY and (reach["held"], reach["tested"]) == (1, 2)
    assert rarer["verdict"] == HELD
