"""Job: make one task's dataset file and its summary."""
import logging

from ..atomic import write_csv
from ..provenance import stamp
from ..data.sentiment import Vocabulary, save_dataset, sentiment_dataset, summarize

log = logging.getLogger(__name__)


def make_dataset(params: dict, data_path: str, summary_path: str, run: dict) -> None:
    vocabulary = Vocabulary(**params["vocabulary"])
    sizes = {split: params[split] for split in ("train", "validation", "test")}
    splits = sentiment_dataset(params["task"], params["length"], sizes, vocabulary, params["seed"])
    summary = summarize(params["task"], splits)
    log.info("dataset %s:\n%s", params["task"], summary.to_string(index=False))
    save_dataset(data_path, splits, vocabulary)
    write_csv(summary_path, stamp(summary, run, "cpu"))
