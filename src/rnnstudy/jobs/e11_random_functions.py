"""Jobs of E11: one population per architecture and parameter budget (learning rates ×
replicates) learning the fixed random teacher, and the tables of all of them."""
import logging
import time

import pandas as pd

from ..analysis.e11_random_functions import train_students
from ..analysis.regression import best_errors
from ..atomic import write_csv
from ..provenance import COLUMNS, stamp
from ..results import read_results
from .preamble import device_only

log = logging.getLogger(__name__)
POINT = ["model", "budget", "hidden_dim", "parameters"]


def random_function_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    device, dtype = device_only(params, threads)
    started = time.perf_counter()
    frame = train_students(params["cell"], params["budget"], params["hidden"],
                           params["section"], params["seed"], device, dtype)
    log.info("%s, budget %d (hidden %d): %.1fs on %s, lowest error %.4f", params["cell"],
             params["budget"], params["hidden"], time.perf_counter() - started, device.type,
             frame["error"].min())
    write_csv(curve, stamp(frame, run, device.type))


def random_function_tables(*, shards: list[str], curves: str, errors: str,
                           params: dict) -> None:
    table = pd.concat([read_results(p, (*POINT, "error")) for p in shards], ignore_index=True)
    write_csv(curves, table)
    provenance = table.groupby(POINT)[list(COLUMNS)].first()
    write_csv(errors, best_errors(table, POINT).join(provenance, on=POINT))
