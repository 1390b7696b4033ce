"""Jobs of E12: one population of character models per architecture × depth × parameter
budget (learning rates × replicates) on the corpus, and the tables of all of them."""
import logging
import time

from ..analysis.e12_char_models import POINT, best_points, train_char_models
from ..atomic import write_csv
from ..config import ConfigError
from ..data.corpus import read_corpus
from ..models.shapes import largest_hidden
from ..provenance import stamp, with_provenance
from ..results import read_shards
from .preamble import device_only

log = logging.getLogger(__name__)


def char_model_shard(*, corpus: str, curve: str, params: dict, run: dict,
                     threads: int = 1) -> None:
    device, dtype = device_only(params, threads)
    started = time.perf_counter()
    text = read_corpus(corpus)
    hidden = params["hidden"] or sized(params, len(text.alphabet))
    frame = train_char_models(text, params["cell"], params["layers"], params["budget"], hidden,
                              params["section"], params["seed"], device, dtype)
    chosen = frame[frame["selected"]]
    log.info("%s, %d layer(s), budget %d (hidden %d): %.1fs on %s, test bits/char %s",
             params["cell"], params["layers"], params["budget"], hidden,
             time.perf_counter() - started, device.type,
             ", ".join(f"{b:.3f}" for b in chosen["test_bits"]))
    write_csv(curve, stamp(frame, run, device.type))


def sized(params: dict, alphabet: int) -> int:
    """The largest hidden size within the budget, for a corpus whose alphabet was unknown
    until its file was fetched."""
    hidden = largest_hidden(params["cell"], alphabet, params["layers"], alphabet,
                            params["budget"])
    if hidden == 0:
        raise ConfigError(f"invalid config: config key 'experiments.e12_char_models.budgets': "
                          f"{params['budget']} parameters are too few for one unit of "
                          f"{params['cell']} with {params['layers']} layer(s) over the "
                          f"corpus's alphabet of {alphabet}")
    return hidden


def char_model_tables(*, shards: list[str], corpus: str, curves: str, points: str,
                      params: dict) -> None:
    table = read_shards(shards, (*POINT, "validation_bits", "test_bits", "selected"))
    write_csv(curves, table)
    made = best_points(table, read_corpus(corpus))
    write_csv(points, with_provenance(made, table, POINT))

