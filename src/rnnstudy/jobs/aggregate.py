"""Job: gather one experiment's per-cell results into tidy tables (one row per member)."""
import logging

import pandas as pd

from ..analysis.tables import IDENTITY, check_columns
from ..atomic import write_csv
from ..results import read_results

log = logging.getLogger(__name__)


def aggregate(*, final: list[str], metrics: list[str], members: str, epochs: str,
              params: dict) -> None:
    """`params["cells"][i]` holds the identity columns of `final[i]` and `metrics[i]`."""
    member_rows = _stack(params["cells"], final)
    epoch_rows = _stack(params["cells"], metrics)
    check_columns(member_rows, "members")
    check_columns(epoch_rows, "epochs")
    log.info("%d members, %d epoch rows", len(member_rows), len(epoch_rows))
    write_csv(members, member_rows)
    write_csv(epochs, epoch_rows)


def _stack(cells: list[dict], paths: list[str]) -> pd.DataFrame:
    frames = []
    for identity, path in zip(cells, paths, strict=True):
        frame = read_results(path)
        for position, column in enumerate(IDENTITY):
            frame.insert(position, column, identity[column])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
