"""Jobs of E5: one shard of random parameter settings of one model and shape, and the
table of all shards' histograms summed per model and shape."""
import logging
import time

from ..analysis.e5_landscape import evaluate_settings, histogram_frame
from ..atomic import write_csv
from ..models.classifier import PopulationClassifier
from ..provenance import COLUMNS, stamp
from ..results import read_shards
from .preamble import device_job

log = logging.getLogger(__name__)


def landscape_shard(*, dataset: str, histogram: str, params: dict, run: dict,
                    threads: int = 1) -> None:
    job = device_job(params, dataset, threads)
    # The word vectors are one of the random draws, as in the trained models' default.
    model = PopulationClassifier(params["model"], job.data.vocabulary.size, params["input_dim"],
                                 params["hidden_dim"])
    started = time.perf_counter()
    counts = evaluate_settings(model, params["seed"], params["start"], params["stop"],
                               job.splits["validation"], job.dtype)
    seconds = time.perf_counter() - started
    settings = params["stop"] - params["start"]
    log.info("%d settings in %.1fs on %s: %.0f settings/s", settings, seconds,
             job.device.type, settings / seconds)
    frame = histogram_frame(counts)
    for key in ("model", "input_dim", "hidden_dim"):
        frame.insert(0, key, params[key])
    write_csv(histogram, stamp(frame, run, job.device.type))


def landscape_table(*, shards: list[str], histogram: str, params: dict) -> None:
    columns = ("model", "input_dim", "hidden_dim", "correct", "accuracy", "settings")
    parts = read_shards(shards, columns)
    # Shards made by different code or devices stay apart: their provenance is a key.
    keys = ["model", "input_dim", "hidden_dim", "correct", "accuracy", *COLUMNS]
    table = parts.groupby(keys, as_index=False, sort=True, dropna=False)["settings"].sum()
    table.insert(0, "task", params["task"])
    table = table[[c for c in table.columns if c not in COLUMNS] + list(COLUMNS)]
    write_csv(histogram, table)
