"""Jobs of E8: one population per architecture, depth and parameter budget (every search
setting × replicate), and the tables of all of them."""
import logging
import time

import pandas as pd

from ..analysis import e8_capacity as capacity
from ..atomic import write_csv
from ..provenance import COLUMNS, stamp
from ..results import read_results
from .preamble import device_only

log = logging.getLogger(__name__)


def capacity_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    device, dtype = device_only(params, threads)
    section = params["section"]
    settings = capacity.search_settings(params["seed"], section["evaluations"], section["search"])
    started = time.perf_counter()
    frame = capacity.train_point(params["cell"], params["layers"], params["budget"],
                                 params["hidden"], settings, section["replicates"], section,
                                 params["seed"], device, dtype)
    log.info("%s, %d layer(s), budget %d (hidden %d): %d members in %.1fs on %s; most bits "
             "%.0f", params["cell"], params["layers"], params["budget"], params["hidden"],
             len(settings) * section["replicates"], time.perf_counter() - started,
             device.type, frame["bits"].max())
    write_csv(curve, stamp(frame, run, device.type))


def capacity_tables(*, shards: list[str], curves: str, points: str, search: str,
                    params: dict) -> None:
    frames = [read_results(p, ("model", "layers", "budget", "bits")) for p in shards]
    table = pd.concat(frames, ignore_index=True)
    write_csv(curves, table)
    provenance = table.groupby(["model", "layers", "budget"])[list(COLUMNS)].first()
    for path, made in ((points, capacity.points(table)),
                       (search, capacity.search_progress(table))):
        write_csv(path, made.join(provenance, on=["model", "layers", "budget"]))
