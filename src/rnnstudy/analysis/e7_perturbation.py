"""E7 (seed 001 §VI.C, eq. 8-9, Fig. 10): perturb trained weights, then retrain.

W_pert = W* + k·N(0, σ_W). W is what the seed flattens: "all the parameter matrices/vectors
(mentioned in the equations in section I)", eq. 1-6, i.e. the cell and the readout; the
learned word vectors are not in those equations and stay unperturbed unless asked for
(`PopulationClassifier.columns`). σ_W is the standard deviation of the flattened W (one
global σ, as the seed says), or, as an option, each matrix/vector of the equations its own.
Each (candidate, k, draw) has its own noise seed.
"""
import torch

from ..models.cells import GATES
from ..models.classifier import PopulationClassifier
from ..seeding import derive_seed

SIGMAS = ("global", "per_matrix")


def matrix_groups(model: PopulationClassifier, include_embedding: bool) -> torch.Tensor:
    """Per studied column of `params` (model.columns(include_embedding)): which matrix or
    vector of the seed's equations it belongs to, as group ids [D']. A stacked tensor of
    the GRU (w_ih = [W_ir | W_iz | W_in], likewise w_hh, b_ih, b_hh) is split per gate, so
    every group is one symbol of eq. 1-6 (W_ir, b_hz, W_oh, ...), or the word vectors."""
    ids, group = [], 0
    for p in model.trainable:
        if p.name in ("w_ih", "w_hh", "b_ih", "b_hh"):
            gates = GATES[model.model]
            rows, width = p.shape
            gate = torch.arange(width).div(width // gates, rounding_mode="floor")
            ids.append((group + gate).repeat(rows))
            group += gates
        else:
            ids.append(torch.full((p.size,), group))
            group += 1
    return torch.cat(ids)[model.columns(include_embedding)]


def perturb(best: torch.Tensor, scales: list[float], draws: int, seed_identity: tuple,
            columns: slice = slice(None), groups: torch.Tensor | None = None) -> tuple:
    """best [N] → (perturbed [len(scales)·draws, N], [(scale, draw)], σ_W), in that order.

    Only best[columns] (the studied W) is perturbed; σ_W is its standard deviation. With
    `groups` (a group id per studied column, `matrix_groups`), each group's noise has the
    standard deviation of that group's own values instead (σ_W is still returned, the
    global one, for the record)."""
    w = best[columns].to(torch.float64)
    sigma = float(w.std())
    scale_of = torch.full_like(w, sigma)
    if groups is not None:
        for group in groups.unique():
            members = groups == group
            if int(members.sum()) > 1:
                scale_of[members] = w[members].std()
    rows, members = [], []
    for scale in scales:
        for draw in range(draws):
            generator = torch.Generator().manual_seed(derive_seed(*seed_identity, scale, draw))
            noise = torch.randn(w.shape, generator=generator, dtype=torch.float64) * scale_of
            row = best.clone()
            row[columns] = (w + scale * noise).to(best.dtype)
            rows.append(row)
            members.append((scale, draw))
    return torch.stack(rows), members, sigma


def distances(trajectory: torch.Tensor, best: torch.Tensor) -> torch.Tensor:
    """‖W* − W_epoch‖ for trajectory [E+1, P, D] and best [D] or [P, D] → [E+1, P]."""
    return (trajectory.to(torch.float64) - best.to(torch.float64)).norm(dim=-1)
