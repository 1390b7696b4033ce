"""Job: E5's table, the shards' histograms summed per model and shape."""
import pandas as pd

from ..results import read_results
from ..atomic import write_csv


def landscape_table(task: str, shard_paths: list[str], table_path: str) -> None:
    shards = pd.concat([read_results(p, ("model", "input_dim", "hidden_dim", "correct", "accuracy", "settings")) for p in shard_paths], ignore_index=True)
    keys = ["model", "input_dim", "hidden_dim", "correct", "accuracy"]
    table = shards.groupby(keys, as_index=False, sort=True)["settings"].sum()
    table.insert(0, "task", task)
    write_csv(table_path, table)
