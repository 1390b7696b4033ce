"""Jobs of E8: one population per architecture, depth and parameter budget (every search
setting × replicate), and the tables of all of them."""
import logging
import time

from ..analysis import e8_capacity as capacity
from ..atomic import write_csv
from ..provenance import stamp, with_provenance
from ..results import read_shards
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
    table = read_shards(shards, ("model", "layers", "budget", "bits"))
    write_csv(curves, table)
    for path, made in ((points, capacity.points(table)),
                       (search, capacity.search_progress(table))):
        write_csv(path, with_provenance(made, table, ["model", "layers", "budget"]))
