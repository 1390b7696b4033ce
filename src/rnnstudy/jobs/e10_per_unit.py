"""Jobs of E10: one population per architecture and hidden size (learning rates ×
replicates), and the tables of all of them."""
import logging
import time

from ..analysis.e10_per_unit import linear_floor, train_units
from ..analysis.regression import best_errors
from ..atomic import write_csv
from ..provenance import stamp, with_provenance
from ..results import read_shards
from .preamble import device_only

log = logging.getLogger(__name__)
POINT = ["model", "hidden_dim", "parameters"]


def per_unit_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    device, dtype = device_only(params, threads)
    started = time.perf_counter()
    frame = train_units(params["cell"], params["hidden"], params["section"], params["seed"],
                        device, dtype)
    log.info("%s with %d units: %.1fs on %s, lowest error %.4f", params["cell"],
             params["hidden"], time.perf_counter() - started, device.type,
             frame["error"].min())
    write_csv(curve, stamp(frame, run, device.type))


def per_unit_tables(*, shards: list[str], curves: str, errors: str, params: dict) -> None:
    table = read_shards(shards, (*POINT, "error"))
    write_csv(curves, table)
    best = best_errors(table, POINT)
    best.insert(3, "linear_floor", linear_floor(best["hidden_dim"],
                                                params["input_dim"]).to_numpy())
    write_csv(errors, with_provenance(best, table, POINT))
