"""Job: train every init of one grid cell as one population and write its results."""
import hashlib
import json
import logging
import time
from pathlib import Path

import torch

from ..atomic import atomic_path, write_csv
from ..models.classifier import PopulationClassifier
from ..provenance import stamp
from ..seeding import derive_seed
from ..training.checkpoint import Checkpoint
from ..training.protocol import Protocol
from ..training.trainer import train_population
from .preamble import device_job

log = logging.getLogger(__name__)


def member_seeds(params: dict) -> tuple[list[int], list[int]]:
    """(init seeds, data-order seeds) of the cell's members, from each member's identity.

    The init seed leaves out the task and experiment: init k of a shape starts from the same
    weights on every task and in every experiment, so they can be compared pairwise.
    """
    shape = (params["model"], params["input_dim"], params["hidden_dim"])
    inits = range(params["inits"])
    init = [derive_seed(params["seed"], "init", *shape, k) for k in inits]
    order = [derive_seed(params["seed"], "order", params["task"], *shape, k) for k in inits]
    return init, order


def fingerprint(params: dict, *paths: str) -> str:
    """What a checkpoint must match to be resumed from: the job's params and input files."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode())
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def train_cell(*, dataset: str, metrics: str, final: str, weights: str, params: dict,
               run: dict, threads: int = 1, checkpoint: dict | None = None) -> None:
    """Train the cell; with `checkpoint` ({epochs, minutes}) its state is saved beside the
    outputs as it goes, resumed from after a kill, and removed when the outputs are written."""
    job = device_job(params, dataset, threads)
    device, splits = job.device, job.splits
    model = PopulationClassifier(params["model"], job.data.vocabulary.size, params["input_dim"],
                                 params["hidden_dim"], embedding=params["embedding"])
    init_seeds, order_seeds = member_seeds(params)
    initial, fixed = model.init_population(init_seeds, job.dtype)
    protocol = Protocol.from_config(params["training"])
    log.info("training %d members of %s on %s (%d parameters each)", len(init_seeds),
             model.describe(), device, model.n_params)
    started = time.perf_counter()
    keep_trajectory = params.get("keep_trajectory", False)
    saver = None
    if checkpoint:
        saver = Checkpoint(Path(final).parent / "checkpoint.pt", fingerprint(params, dataset),
                           checkpoint["epochs"], checkpoint["minutes"] * 60)
    result = train_population(model, initial.to(device), fixed.to(device), order_seeds,
                              splits["train"], splits["validation"], splits["test"], protocol,
                              keep_trajectory=keep_trajectory, checkpoint=saver)
    log.info("trained in %.1fs", time.perf_counter() - started)

    history = result.history.rename(columns={"member": "init"})
    members = result.final.rename(columns={"member": "init"})
    members.insert(1, "init_seed", init_seeds)
    members.insert(2, "n_params", model.n_params)
    log.info("final:\n%s", members.to_string(index=False))
    write_csv(metrics, stamp(history, run, device.type))
    write_csv(final, stamp(members, run, device.type))
    saved = {"model": model.describe(), "inits": list(range(len(init_seeds))),
             "init_seeds": init_seeds, "params": result.best_params, "fixed": fixed.cpu()}
    if keep_trajectory:
        saved["trajectory"] = torch.stack(result.trajectory)  # [epochs + 1, P, N]
    with atomic_path(weights) as tmp, open(tmp, "wb") as f:
        torch.save(saved, f)  # through a file object: the archive then names no temp file
    if saver:
        saver.remove()
