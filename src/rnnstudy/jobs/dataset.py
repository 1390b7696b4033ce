"""Job: make one task's dataset file and its summary."""
import logging

from ..atomic import write_csv
from ..data.sentiment import Vocabulary, save_dataset, sentiment_dataset, summarize
from ..provenance import stamp

log = logging.getLogger(__name__)


def make_dataset(*, data: str, summary: str, params: dict, run: dict) -> None:
    vocabulary = Vocabulary(**params["vocabulary"])
    sizes = {split: params[split] for split in ("train", "validation", "test")}
    splits = sentiment_dataset(params["task"], params["length"], sizes, vocabulary, params["seed"])
    balance = summarize(params["task"], splits)
    log.info("dataset %s:\n%s", params["task"], balance.to_string(index=False))
    save_dataset(data, splits, vocabulary)
    write_csv(summary, stamp(balance, run, "cpu"))
