"""Jobs of E18: one population per cell × task × length (forget biases × replicates), and
the tables of all of them."""
import logging
import time

from ..analysis import e18_lstm_variants as variants
from ..atomic import write_csv
from ..provenance import stamp, with_provenance
from ..results import read_shards
from .preamble import device_only

log = logging.getLogger(__name__)


def variant_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    device, dtype = device_only(params, threads)
    started = time.perf_counter()
    frame = variants.train_variant(params["cell"], params["task"], params["length"],
                                   params["section"], params["seed"], device, dtype)
    table = variants.runs(frame)
    log.info("%s on %s, T = %d: %d runs in %.1fs on %s (%d steps); %d converged, %d "
             "diverged", params["cell"], params["task"], params["length"], len(table),
             time.perf_counter() - started, device.type, frame["step"].max(),
             table["converged"].sum(), table["diverged"].sum())
    write_csv(curve, stamp(frame, run, device.type))


def variant_tables(*, shards: list[str], curves: str, runs: str, accuracy: str,
                   params: dict) -> None:
    table = read_shards(shards, (*variants.RUN, "step", "accuracy", "converged", "diverged"))
    write_csv(curves, table)
    run_table = variants.runs(table)
    # one shard per cell × task × length made all of its rows (forget_bias is empty for
    # the cell without a forget gate, which a provenance key could not match)
    shard = ["task", "length", "model"]
    write_csv(runs, with_provenance(run_table, table, shard))
    write_csv(accuracy, with_provenance(variants.accuracy(run_table), table, shard))
