"""How far the fused and plain paths drift apart over training, in float64.

    python tools/path_divergence.py [--steps 1 10 100 600]

Trains E8-like populations (16 binary inputs at the first of 5 steps, one logit, batch 128,
random labels; a GRU of 9 units and an LSTM of 7, as E8's smallest budget sizes them) with
Adam at learning rates from 1e-3 to 1e-1 on both paths from the same weights and
minibatches, and prints each member's largest parameter difference after each number of
steps. After one step the paths differ by rounding (1e-16); at small learning rates it
stays there, at large ones Adam on random labels amplifies it until the runs part, as any
other change of summation order (another BLAS, thread count or GPU) would.
"""
import argparse

import torch

from rnnstudy.analysis.e8_capacity import at_first_step, binary_loss
from rnnstudy.models import fused
from rnnstudy.models.shapes import Shape
from rnnstudy.models.stacked import PopulationRNN
from rnnstudy.training.steps import train_steps

LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1]


def drift(cell: str, hidden: int, steps: list[int], samples: int = 400, batch: int = 128):
    dtype = torch.float64
    model = PopulationRNN(Shape(cell, 16, hidden, 1, 1))
    members = len(LEARNING_RATES)
    params = torch.stack([model.draw(torch.Generator().manual_seed(m), 1.0, 0.0, dtype)
                          for m in range(members)])
    lr = torch.tensor(LEARNING_RATES, dtype=torch.float64)
    g = torch.Generator().manual_seed(0)
    x_all = torch.randint(0, 2, (members, samples, 16), generator=g).to(dtype)
    y_all = torch.randint(0, 2, (members, samples), generator=g).to(dtype)
    rows = torch.arange(members).unsqueeze(1)

    def minibatch(step):
        index = torch.randint(0, samples, (members, batch),
                              generator=torch.Generator().manual_seed(step))
        return at_first_step(x_all[rows, index], 5), y_all[rows, index]

    # One run per path, its parameters kept after each asked-for number of steps.
    kept = {"plain": {}, "fused": {}}
    for path, at in kept.items():
        def keep(step, now, at=at):
            if step in steps:
                at[step] = now.clone()
        with fused.use(path):
            train_steps(model, params, lr, max(steps), minibatch, binary_loss, 1, keep)
    for n in steps:
        gap = (kept["plain"][n] - kept["fused"][n]).abs().amax(1)
        print(f"{cell:4s} H={hidden} after {n:4d} steps: " +
              "  ".join(f"lr {r:g}: {d:.1e}" for r, d in zip(LEARNING_RATES, gap.tolist())))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1, 10, 100, 600])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    for cell, hidden in (("gru", 9), ("lstm", 7)):
        drift(cell, hidden, args.steps)


if __name__ == "__main__":
    main()
