"""Adam over a population: one flat tensor [P, N], a learning rate per member.

The arithmetic is torch.optim.Adam's (single-tensor path), row by row, so a member's update
never depends on the other rows.
"""
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass
class PopulationAdam:
    exp_avg: Tensor  # [P, N]
    exp_avg_sq: Tensor  # [P, N]
    steps: Tensor  # [P] float64
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    @classmethod
    def zeros_like(cls, params: Tensor, betas=(0.9, 0.999), eps=1e-8) -> "PopulationAdam":
        steps = torch.zeros(params.shape[0], device=params.device, dtype=torch.float64)
        return cls(torch.zeros_like(params), torch.zeros_like(params), steps, tuple(betas), eps)

    def rows(self, index: Tensor) -> "PopulationAdam":
        """A copy of the state of rows `index` (to train a subset of members)."""
        return PopulationAdam(self.exp_avg[index], self.exp_avg_sq[index], self.steps[index],
                              self.betas, self.eps)

    def set_rows(self, index: Tensor, part: "PopulationAdam") -> None:
        self.exp_avg[index] = part.exp_avg
        self.exp_avg_sq[index] = part.exp_avg_sq
        self.steps[index] = part.steps

    @torch.no_grad()
    def step(self, params: Tensor, grad: Tensor, lr: Tensor, update: Tensor) -> None:
        """In-place Adam step of every row; lr [P]; rows with update False keep their params."""
        beta1, beta2 = self.betas
        grad = torch.where(update.unsqueeze(1), grad, 0.0)
        self.steps += 1
        self.exp_avg.lerp_(grad, 1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias1 = 1 - beta1 ** self.steps
        bias2_sqrt = (1 - beta2 ** self.steps).sqrt()
        step_size = (lr * update / bias1).to(params.dtype).unsqueeze(1)
        denom = (self.exp_avg_sq.sqrt() / bias2_sqrt.to(params.dtype).unsqueeze(1)).add_(self.eps)
        params.addcdiv_(self.exp_avg * step_size, denom, value=-1)

    def state_dict(self) -> dict:
        return {"exp_avg": self.exp_avg, "exp_avg_sq": self.exp_avg_sq, "steps": self.steps}
