"""Job: E5, one shard of random parameter settings of one model and shape."""
import logging
import time

import torch

from ..analysis.histograms import histogram_frame
from ..analysis.landscape import evaluate_settings
from ..atomic import write_csv
from ..provenance import stamp
from ..data.sentiment import load_dataset
from ..device import resolve_device
from ..models.classifier import PopulationClassifier
from ..training.trainer import Split

log = logging.getLogger(__name__)


def landscape_shard(dataset: str, params: dict, histogram_path: str, run: dict,
                    threads: int = 1) -> None:
    torch.set_num_threads(threads)
    device = resolve_device(params["device"])
    data = load_dataset(dataset)
    split = Split.from_numpy(*data.splits["validation"], device)
    # The word vectors are one of the random draws, as in the trained models' default.
    model = PopulationClassifier(params["model"], data.vocabulary.size, params["input_dim"],
                                 params["hidden_dim"])
    started = time.perf_counter()
    histogram = evaluate_settings(model, params["seed"], params["start"], params["stop"], split,
                                  getattr(torch, params["dtype"]))
    seconds = time.perf_counter() - started
    settings = params["stop"] - params["start"]
    log.info("%d settings in %.1fs on %s: %.0f settings/s", settings, seconds, device.type,
             settings / seconds)
    frame = histogram_frame(histogram)
    for key in ("model", "input_dim", "hidden_dim"):
        frame.insert(0, key, params[key])
    write_csv(histogram_path, stamp(frame, run, device.type))
