"""tools/compare_builds.py: the table comparison behind the fused-vs-plain checks."""
import numpy as np
import pandas as pd
from compare_builds import table_difference

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
