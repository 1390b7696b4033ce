"""Job: E7, perturb the trained weights of every candidate that reached min_val_acc (up to
max_models per cell) and retrain every (candidate, scale, draw) at a constant learning rate,
as one population per cell; record validation accuracy, loss and distance to W* after every
epoch."""
import logging

import pandas as pd
import torch

from ..analysis.e7_perturbation import distances, matrix_groups, perturb
from ..analysis.selection import select_member
from ..atomic import write_csv
from ..provenance import stamp
from ..results import read_results
from ..seeding import derive_seed
from ..training.protocol import Protocol
from ..training.trainer import train_population
from ..weights import classifier_of, load_weights
from .preamble import device_job
from .selected import columns_first

log = logging.getLogger(__name__)

# Members retrained in one population at most: the trainer gathers every member's shuffled
# training set, [members, 8000, 10] int64 at the seed's sizes (0.3 GB at this cap).
MAX_POPULATION = 520


def studied_inits(final: pd.DataFrame, min_val_acc: float, max_models: int | None) -> list:
    """The candidates E7 perturbs: every init reaching min_val_acc, lowest first, at most
    `max_models` of them (the first is the one select_member studies); if none reaches it,
    the best candidate alone (marked by threshold_reached = False), so that the figure shows
    what was reached."""
    reached = final[final["val_acc"] >= min_val_acc].sort_values("init")["init"].tolist()
    if not reached:
        return [select_member(final, min_val_acc)["selected_init"]]
    return reached[:max_models] if max_models else reached


def retraining_protocol(params: dict) -> Protocol:
    """The seed's training settings at a constant learning rate (`retrain_lr`, default the
    training lr: no halving, no min_lr stop) for exactly `retrain_epochs` (no early stop)."""
    epochs = params["retrain_epochs"]
    lr = params["retrain_lr"] if params["retrain_lr"] is not None else params["training"]["lr"]
    return Protocol.from_config({**params["training"], "lr": lr, "lr_decay": 1.0, "min_lr": 0.0,
                                 "max_epochs": epochs, "patience": epochs + 1})


def perturb_and_retrain(*, final: list[str], weights: list[str], dataset: str, retraining: str,
                        params: dict, run: dict, threads: int = 1) -> None:
    job = device_job(params, dataset, threads)
    device, dtype, splits = job.device, job.dtype, job.splits
    protocol = retraining_protocol(params)
    frames = []
    for identity, final_path, weights_path in zip(params["cells"], final, weights, strict=True):
        saved = load_weights(weights_path)
        model = classifier_of(saved)
        members_table = read_results(final_path, ("init", "val_acc"))
        selection = select_member(members_table, params["min_val_acc"])
        inits = studied_inits(members_table, params["min_val_acc"], params["max_models"])
        accuracy = members_table.set_index("init")["val_acc"]
        shape = (identity["model"], identity["input_dim"], identity["hidden_dim"])
        columns = model.columns(params["include_embedding"])
        groups = (matrix_groups(model, params["include_embedding"])
                  if params["sigma"] == "per_matrix" else None)
        keep = {k: identity[k] for k in ("task", "model", "input_dim", "hidden_dim")}
        per_population = max(1, MAX_POPULATION // (1 + len(params["scales"]) * params["draws"]))
        for first in range(0, len(inits), per_population):
            chunk = inits[first:first + per_population]
            starts, fixed, reference, members, sigmas = [], [], [], [], {}
            for init in chunk:
                best = saved["params"][init].to(dtype)
                perturbed, drawn, sigmas[init] = perturb(
                    best, params["scales"], params["draws"],
                    (params["seed"], "perturbation", *shape, init), columns, groups)
                # Scale 0 is W* itself, retrained: the reference the seed draws as a dotted
                # line, and how far W* drifts under retraining alone.
                starts += [best[None], perturbed]
                members += [(init, 0.0, 0)] + [(init, s, d) for s, d in drawn]
                fixed.append(saved["fixed"][init].to(dtype).expand(1 + len(drawn), -1))
                reference.append(best.expand(1 + len(drawn), -1))
            order = [derive_seed(params["seed"], "perturbation-order", *shape, i, s, d)
                     for i, s, d in members]
            result = train_population(model, torch.cat(starts).to(device),
                                      torch.cat(fixed).contiguous().to(device), order,
                                      splits["train"], splits["validation"], splits["test"],
                                      protocol, keep_trajectory=True)
            trajectory = torch.stack(result.trajectory)[..., columns]  # [E+1, P, D']
            distance = distances(trajectory, torch.cat(reference)[:, columns])  # [E+1, P]
            history = result.history.rename(columns={"member": "perturbed"})
            index = history["perturbed"]
            history.insert(0, "init", [members[m][0] for m in index])
            history.insert(1, "init_val_acc", [float(accuracy[members[m][0]]) for m in index])
            history["scale"] = [members[m][1] for m in index]
            history["draw"] = [members[m][2] for m in index]
            history["distance"] = distance[torch.as_tensor(history["epoch"].to_numpy()),
                                           torch.as_tensor(index.to_numpy())].numpy()
            history["sigma_w"] = [sigmas[members[m][0]] for m in index]
            frames.append(columns_first(history.drop(columns="perturbed"),
                                        {**keep, **selection}))
        log.info("%s: %d candidates perturbed (%d reached %.3f), %s", shape, len(inits),
                 selection["candidates_reaching"], params["min_val_acc"], selection)
    write_csv(retraining, stamp(pd.concat(frames, ignore_index=True), run, device.type))
