"""Jobs of E16: E15's populations again with the other optimizer (RMSprop), one per
architecture and length, and their tables; E15's Adam runs are the other arm."""
from ..atomic import write_csv
from .e15_palindromes import POINT, run_tables, train_shard


def optimizer_shard(*, curve: str, params: dict, run: dict, threads: int = 1) -> None:
    train_shard(curve, params, run, threads, optimizer=params["optimizer"],
                options=params["options"])


def optimizer_tables(*, shards: list[str], curves: str, runs: str, params: dict) -> None:
    table, run_table = run_tables(shards, POINT, params)
    write_csv(curves, table)
    write_csv(runs, run_table)
