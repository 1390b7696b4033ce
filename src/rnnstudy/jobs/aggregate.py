"""Job: gather one experiment's per-cell results into tidy tables (one row per member)."""
import logging

import pandas as pd

from ..analysis.tables import IDENTITY, check_columns
from ..results import read_results
from ..atomic import write_csv

log = logging.getLogger(__name__)


def aggregate(cells: list[dict], final_paths: list[str], metrics_paths: list[str],
              table_path: str, epochs_path: str) -> None:
    """`cells[i]` holds the identity columns of `final_paths[i]` and `metrics_paths[i]`."""
    table = _stack(cells, final_paths)
    epochs = _stack(cells, metrics_paths)
    check_columns(table, "members")
    check_columns(epochs, "epochs")
    log.info("%d members, %d epoch rows", len(table), len(epochs))
    write_csv(table_path, table)
    write_csv(epochs_path, epochs)


def _stack(cells: list[dict], paths: list[str]) -> pd.DataFrame:
    frames = []
    for identity, path in zip(cells, paths, strict=True):
        frame = read_results(path)
        for position, column in enumerate(IDENTITY):
            frame.insert(position, column, identity[column])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
