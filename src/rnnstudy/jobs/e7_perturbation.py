"""Job: E7, perturb each studied model's weights and retrain every (scale, draw) as one
population; record validation accuracy, loss and distance to W* after every epoch."""
import logging

import pandas as pd
import torch

from ..analysis.e7_perturbation import distances, perturb
from ..atomic import write_csv
from ..provenance import stamp
from ..seeding import derive_seed
from ..training.protocol import Protocol
from ..training.trainer import train_population
from .preamble import device_job
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def perturb_and_retrain(*, final: list[str], weights: list[str], dataset: str, retraining: str,
                        params: dict, run: dict, threads: int = 1) -> None:
    job = device_job(params, dataset, threads)
    device, dtype, splits = job.device, job.dtype, job.splits
    # Retraining runs the full `retrain_epochs`: the seed's protocol without early stopping.
    epochs = params["retrain_epochs"]
    protocol = Protocol.from_config({**params["training"], "max_epochs": epochs,
                                     "patience": epochs + 1})
    frames = []
    for identity, final_path, weight in zip(params["cells"], final, weights, strict=True):
        chosen = load_selected(identity, final_path, weight, params["min_val_acc"])
        shape = (identity["model"], identity["input_dim"], identity["hidden_dim"])
        best = chosen.params[chosen.member].to(dtype)
        perturbed, members, sigma = perturb(best, params["scales"], params["draws"],
                                            (params["seed"], "perturbation", *shape))
        # Scale 0 is W* itself, retrained: the reference the seed draws as a dotted line.
        start, members = torch.cat([best[None], perturbed]), [(0.0, 0)] + members
        fixed = chosen.fixed[chosen.member].to(dtype).expand(len(members), -1).contiguous()
        order = [derive_seed(params["seed"], "perturbation-order", *shape, s, d)
                 for s, d in members]
        result = train_population(chosen.model, start.to(device), fixed.to(device), order,
                                  splits["train"], splits["validation"], splits["test"],
                                  protocol, keep_trajectory=True)
        distance = distances(torch.stack(result.trajectory), best)  # [E+1, P]
        history = result.history.rename(columns={"member": "perturbed"})
        history["scale"] = [members[m][0] for m in history["perturbed"]]
        history["draw"] = [members[m][1] for m in history["perturbed"]]
        history["distance"] = distance[history["epoch"], history["perturbed"]].numpy()
        history["sigma_w"] = sigma
        log.info("%s: σ_W = %.4f, %s", shape, sigma, chosen.selection)
        frames.append(columns_first(history.drop(columns="perturbed"), chosen.columns()))
    write_csv(retraining, stamp(pd.concat(frames, ignore_index=True), run, device.type))
