"""Job: E5's table, the shards' histograms summed per model and shape."""
import pandas as pd

from ..results import read_results
from ..atomic import write_csv
from ..provenance import COLUMNS


def landscape_table(task: str, shard_paths: list[str], table_path: str) -> None:
    shards = pd.concat([read_results(p, ("model", "input_dim", "hidden_dim", "correct", "accuracy", "settings")) for p in shard_paths], ignore_index=True)
    # Shards made by different code or devices stay apart: their provenance is a key.
    keys = ["model", "input_dim", "hidden_dim", "correct", "accuracy", *COLUMNS]
    table = shards.groupby(keys, as_index=False, sort=True, dropna=False)["settings"].sum()
    table.insert(0, "task", task)
    table = table[[c for c in table.columns if c not in COLUMNS] + list(COLUMNS)]
    write_csv(table_path, table)
