"""tools/compare_builds.py: the table comparison behind the fused-vs-plain checks."""
import json

import numpy as np
import pandas as pd

from compare_builds import compare, table_difference

TABLE = pd.DataFrame({"model": ["gru", "rnn"], "val_acc": [0.5, 0.75], "epochs": [3, 4],
                      "git_commit": ["a", "a"]})


def test_equal_tables_differ_by_nothing_and_provenance_is_left_out():
    other = TABLE.assign(git_commit=["b", "c"])
    assert table_difference(TABLE, other) == {"val_acc": 0.0, "epochs": 0.0}


def test_a_changed_number_is_measured_and_a_nan_on_one_side_is_infinite():
    other = TABLE.assign(val_acc=[0.5, 0.7])
    assert np.isclose(table_difference(TABLE, other)["val_acc"], 0.05)
    assert table_difference(TABLE, TABLE.assign(epochs=[3, np.nan]))["epochs"] == np.inf
    both = TABLE.assign(epochs=[3, np.nan])
    assert table_difference(both, both)["epochs"] == 0.0


def test_other_text_rows_or_columns_cannot_be_compared():
    assert "text column 'model'" in table_difference(TABLE, TABLE.assign(model=["gru", "lstm"]))
    assert "rows" in table_difference(TABLE, TABLE.iloc[:1])
    assert "columns differ" in table_difference(TABLE, TABLE.drop(columns="epochs"))


def build(root, table, verdict=None):
    tables = root / "results" / "tables"
    tables.mkdir(parents=True)
    table.to_csv(tables / "e1_trainability.csv", index=False)
    if verdict is not None:
        claims = [{"claim": "GRU beats RNN", "verdict": verdict}]
        (tables / "numbers.json").write_text(
            json.dumps({"experiments": {"e1_trainability": {"claims": claims}}}))
    return root


def test_the_exit_status_gates_on_tables_and_verdicts(tmp_path):
    same = build(tmp_path / "a", TABLE, "held")
    assert compare(same, build(tmp_path / "b", TABLE, "held"), 1e-4) == 0
    assert compare(same, build(tmp_path / "c", TABLE.assign(val_acc=[0.5, 0.7]), "held"),
                   1e-4) == 1
    assert compare(same, build(tmp_path / "d", TABLE, "not held"), 1e-4) == 1
    assert compare(same, build(tmp_path / "e", TABLE), 1e-4) == 1
    assert compare(build(tmp_path / "f", TABLE), build(tmp_path / "g", TABLE), 1e-4) == 0
