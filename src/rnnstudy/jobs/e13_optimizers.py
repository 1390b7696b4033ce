"""Jobs of E13: one population per optimizer (its learning rates × replicates) on one
palindrome task, and the tables of all of them."""
from ..analysis.e13_optimizers import rate_scores
from ..atomic import write_csv
from ..provenance import with_provenance
from .e15_palindromes import POINT, run_tables, train_shard


def optimizer_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    train_shard(curve, params, run, threads, optimizer=params["optimizer"],
                options=params["options"], learning_rates=params["section"]["learning_rates"])


def optimizer_tables(*, shards: list[str], curves: str, runs: str, rates: str,
                     params: dict) -> None:
    table, run_table = run_tables(shards, POINT, params)
    write_csv(curves, table)
    write_csv(runs, run_table)
    write_csv(rates, with_provenance(rate_scores(run_table), table, POINT))
