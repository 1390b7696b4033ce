"""E6 (seed 001 §VI.B, eq. 7, Fig. 9): cosine of each epoch's update with the run's update.

cos(t) = (W_N − W_0)·(W_t − W_{t−1}) / (‖W_N − W_0‖ ‖W_t − W_{t−1}‖), t = 1 … N, with W_t
a member's flattened parameters after epoch t and N the epochs it trained.
"""
import torch


def update_cosine(trajectory: torch.Tensor) -> torch.Tensor:
    """trajectory [N+1, D] (W_0 … W_N) → cos(t) for t = 1 … N, as [N] (float64)."""
    w = trajectory.to(torch.float64)
    whole = w[-1] - w[0]
    steps = w[1:] - w[:-1]
    return (steps @ whole) / (steps.norm(dim=1) * whole.norm()).clamp_min(1e-300)
