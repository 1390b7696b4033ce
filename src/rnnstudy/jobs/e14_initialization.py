"""Jobs of E14: one population per activation × length × optimizer × clipping
mode (recurrent inits ×
replicates) on palindromes, and the tables of all of them."""
import logging
import time

from ..analysis import e14_initialization as inits
from ..atomic import write_csv
from ..provenance import stamp, with_provenance
from ..results import read_shards
from .preamble import device_only

log = logging.getLogger(__name__)


def initialization_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    device, dtype = device_only(params, threads)
    started = time.perf_counter()
    frame = inits.train_inits(params["cell"], params["length"], params["optimizer"],
                              params["clipping"], params["section"], params["seed"], device,
                              dtype)
    table = inits.runs(frame)
    log.info("%s, T = %d, %s, clipping %s: %d runs in %.1fs on %s (%d steps); %d "
             "converged, %d diverged", params["cell"], params["length"], params["optimizer"],
             params["clipping"], len(table), time.perf_counter() - started, device.type,
             frame["step"].max(), table["converged"].sum(), table["diverged"].sum())
    write_csv(curve, stamp(frame, run, device.type))


def initialization_tables(*, shards: list[str], curves: str, runs: str, counts: str,
                          params: dict) -> None:
    table = read_shards(shards, (*inits.RUN, "step", "accuracy", "converged", "diverged"))
    write_csv(curves, table)
    run_table = inits.runs(table)
    write_csv(runs, with_provenance(run_table, table, inits.RUN))
    write_csv(counts, with_provenance(inits.counts(run_table), table, inits.GROUP))
