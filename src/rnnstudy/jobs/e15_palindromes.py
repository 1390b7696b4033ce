"""Jobs of E15: one population per architecture and palindrome length (its replicates), and
the tables of all of them. E16 and E13 train and tabulate with the same functions."""
import logging
import time

import pandas as pd

from ..analysis import e15_palindromes as analysis
from ..atomic import write_csv
from ..provenance import stamp, with_provenance
from ..results import read_shards
from .preamble import device_only

log = logging.getLogger(__name__)
POINT = ["optimizer", "model", "length", "hidden_dim"]


def train_shard(curve: str, params: dict, run: dict, threads: int, **optimizer) -> None:
    """One population (params: cell, length, section, seed, device, dtype) trained with
    `optimizer` (train_length's optimizer, options, learning_rates), written to `curve`."""
    device, dtype = device_only(params, threads)
    started = time.perf_counter()
    frame = analysis.train_length(params["cell"], params["length"], params["section"],
                                  params["seed"], device, dtype, **optimizer)
    ended = frame.groupby(["lr", "replicate"])["converged"].any()
    log.info("%s at T = %d (%s): %.1fs on %s, %d of %d converged, last step %d",
             params["cell"], params["length"], optimizer.get("optimizer", "adam"),
             time.perf_counter() - started, device.type, int(ended.sum()), len(ended),
             int(frame["step"].max()))
    write_csv(curve, stamp(frame, run, device.type))


def run_tables(shards: list[str], point: list[str],
               params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shards' curves one under the other, and one row per run (with provenance)."""
    table = read_shards(shards, (*point, "accuracy"))
    run_table = analysis.runs(table, point, params["steps"], params["evaluate_every"])
    return table, with_provenance(run_table, table, point)


def palindrome_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    train_shard(curve, params, run, threads)


def palindrome_tables(*, shards: list[str], curves: str, runs: str, longest: str,
                      params: dict) -> None:
    table, run_table = run_tables(shards, POINT, params)
    write_csv(curves, table)
    write_csv(runs, run_table)
    keys = ["optimizer", "model", "hidden_dim"]
    write_csv(longest, with_provenance(analysis.longest(run_table, keys), table, keys))
