"""Jobs of E11: one population per architecture and parameter budget (learning rates ×
replicates) learning the fixed random teacher, and the tables of all of them."""
import logging
import time

from ..analysis.e11_random_functions import train_students
from ..analysis.regression import best_errors
from ..atomic import write_csv
from ..provenance import stamp, with_provenance
from ..results import read_shards
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
    table = read_shards(shards, (*POINT, "error"))
    write_csv(curves, table)
    write_csv(errors, with_provenance(best_errors(table, POINT), table, POINT))
