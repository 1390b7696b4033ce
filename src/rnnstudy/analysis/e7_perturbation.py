"""E7 (seed 001 §VI.C, eq. 8-9, Fig. 10): perturb trained weights, then retrain.

W_pert = W* + k·N(0, σ_W), σ_W the standard deviation of W*'s flattened trainable
parameters; each (k, draw) has its own noise seed.
"""
import torch

from ..seeding import derive_seed


def perturb(best: torch.Tensor, scales: list[float], draws: int, seed_identity: tuple) -> tuple:
    """best [D] → (perturbed [len(scales)·draws, D], [(scale, draw)], σ_W), in that order."""
    sigma = float(best.to(torch.float64).std())
    rows, members = [], []
    for scale in scales:
        for draw in range(draws):
            generator = torch.Generator().manual_seed(derive_seed(*seed_identity, scale, draw))
            noise = torch.randn(best.shape, generator=generator, dtype=torch.float64) * sigma
            rows.append((best.to(torch.float64) + scale * noise).to(best.dtype))
            members.append((scale, draw))
    return torch.stack(rows), members, sigma


def distances(trajectory: torch.Tensor, best: torch.Tensor) -> torch.Tensor:
    """‖W* − W_epoch‖ for trajectory [E+1, P, D] → [E+1, P]."""
    return (trajectory.to(torch.float64) - best.to(torch.float64)).norm(dim=-1)
