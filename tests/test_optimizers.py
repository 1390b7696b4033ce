"""Population optimizers (training/optimizers.py) against torch.optim step for step, gradient
clipping by value against torch.nn.utils.clip_grad_value_, and train_steps' early stop of
converged members."""
import pytest
import torch
import torch.nn.functional as F

from rnnstudy.training.optimizers import OPTIMIZERS, population_optimizer
from rnnstudy.training.steps import train_steps

from helpers import mse, population, rows_of, stacked_reference, task_batches

TORCH_OPTIMIZERS = {
    "adam": lambda params, lr, o: torch.optim.Adam(params, lr=lr, **o),
    "rmsprop": lambda params, lr, o: torch.optim.RMSprop(params, lr=lr, **o),
    "adagrad": lambda params, lr, o: torch.optim.Adagrad(params, lr=lr, **o),
    "sgd_nesterov": lambda params, lr, o: torch.optim.SGD(params, lr=lr, nesterov=True, **o),
}
# Non-default options, so that passing them through is tested too.
OPTIONS = {"adam": {"betas": (0.8, 0.99), "eps": 1e-7}, "rmsprop": {"alpha": 0.9, "eps": 1e-6},
           "adagrad": {"eps": 1e-9}, "sgd_nesterov": {"momentum": 0.8}}


def flat_of(model, rnn, linear):
    """A torch.nn member's parameters in the population's flat layout."""
    parts = []
    for layer in range(model.shape.layers):
        parts += [getattr(rnn, f"weight_ih_l{layer}").T, getattr(rnn, f"weight_hh_l{layer}").T,
                  getattr(rnn, f"bias_ih_l{layer}")]
    parts += [linear.weight.T, linear.bias]
    return torch.cat([p.detach().reshape(-1) for p in parts])


@pytest.mark.parametrize("clip", [{}, {"clip_norm": 0.5}, {"clip_value": 0.02},
                                  {"clip_norm": 0.5, "clip_value": 0.02}])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_matches_torch_optim_step_for_step(name, clip):
    steps, members = 8, 3
    model, params = population("gru", 3, 5, 2, seeds=[4, 5, 6], noise=0.3)
    lr = torch.tensor([1e-2, 3e-3, 5e-2], dtype=torch.float64)
    x, y = task_batches(model, members, steps)
    seen = []
    train_steps(model, params, lr, steps, rows_of(x, y, list(range(members))), mse, 1,
                lambda step, p: seen.append(p.clone()), optimizer=name, options=OPTIONS[name],
                **clip)
    w = model.unflatten(params)
    clipped = {"clip_norm": False, "clip_value": False}  # ever bound, by kind
    for p in range(members):
        rnn, linear = stacked_reference(model, w, p)
        for layer in range(2):
            getattr(rnn, f"bias_hh_l{layer}").requires_grad_(False)  # b_hh stays 0
        trained = [q for m in (rnn, linear) for q in m.parameters() if q.requires_grad]
        optimizer = TORCH_OPTIMIZERS[name](trained, float(lr[p]), OPTIONS[name])
        for step in range(steps):
            loss = F.mse_loss(linear(rnn(x[step][:, p])[0][-1]), y[step][p])
            optimizer.zero_grad()
            loss.backward()
            if "clip_norm" in clip:
                norm = torch.nn.utils.clip_grad_norm_(trained, clip["clip_norm"])
                clipped["clip_norm"] |= bool(norm > clip["clip_norm"])
            if "clip_value" in clip:
                before = [q.grad.clone() for q in trained]
                torch.nn.utils.clip_grad_value_(trained, clip["clip_value"])
                clipped["clip_value"] |= any(not torch.equal(a, q.grad)
                                             for a, q in zip(before, trained))
            optimizer.step()
            torch.testing.assert_close(seen[step][p], flat_of(model, rnn, linear), atol=1e-10,
                                       rtol=0)
    assert {kind for kind, bound in clipped.items() if bound} == set(clip)  # each clip binds


def test_unknown_optimizers_and_options_are_refused():
    params = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        population_optimizer("adamw", params)
    with pytest.raises(ValueError, match="rmsprop takes no option"):
        population_optimizer("rmsprop", params, {"momentum": 0.9})


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_rows_not_updated_keep_their_parameters(name):
    g = torch.Generator().manual_seed(0)
    params = torch.randn(3, 5, generator=g, dtype=torch.float64)
    before = params.clone()
    state = population_optimizer(name, params)
    update = torch.tensor([True, False, True])
    for _ in range(3):
        state.step(params, torch.randn(3, 5, generator=g, dtype=torch.float64),
                   torch.full((3,), 0.1, dtype=torch.float64), update)
    assert torch.equal(params[1], before[1])
    assert (params[[0, 2]] != before[[0, 2]]).all()


def test_converged_members_stop_and_training_ends_when_all_have():
    steps, members = 40, 3
    model, params = population("rnn", 3, 5, 1, seeds=[1, 2, 3], noise=0.3)
    lr = torch.full((members,), 1e-2, dtype=torch.float64)
    x, y = task_batches(model, members, steps)
    seen = {}

    def on_record(step, p):
        seen[step] = p.clone()
        # member 0 converges at step 10, member 2 at step 20, member 1 at step 30
        return torch.tensor([step >= 10, step >= 30, step >= 20])
    result = train_steps(model, params, lr, steps, rows_of(x, y, [0, 1, 2]), mse, 5, on_record)
    assert result.converged_at.tolist() == [10, 30, 20]
    assert result.steps_taken == 30  # every member stopped: the loop ended early
    assert not result.diverged_at.any()
    # A converged member's parameters stay where it stopped.
    assert torch.equal(seen[30][0], seen[10][0]) and torch.equal(result.params[0], seen[10][0])
    assert torch.equal(result.params[2], seen[20][2]) and not torch.equal(seen[15][1],
                                                                          seen[10][1])
    loss = result.curve.pivot(index="step", columns="member", values="train_loss")
    assert list(loss.index) == [5, 10, 15, 20, 25, 30]
    assert loss.loc[:10, 0].notna().all() and loss.loc[15:, 0].isna().all()
    assert loss.loc[:30, 1].notna().all()
    # Member 1 followed the same trajectory as alone (its mates' stop changed nothing).
    alone = train_steps(model, params[1:2], lr[1:2], 30, rows_of(x, y, [1]), mse, 5)
    torch.testing.assert_close(result.params[1], alone.params[0], atol=1e-12, rtol=0)


def test_without_a_convergence_rule_every_step_runs_even_when_all_diverged():
    steps = 6
    model, params = population("rnn", 3, 5, 1, seeds=[1, 2], noise=0.3)
    lr = torch.full((2,), 1e-2, dtype=torch.float64)
    x, y = task_batches(model, 2, steps)
    x[1] = float("inf")  # both diverge at step 2
    calls = []
    result = train_steps(model, params, lr, steps, rows_of(x, y, [0, 1]), mse, 1,
                         lambda step, p: calls.append(step))
    assert result.diverged_at.tolist() == [2, 2]
    assert calls == list(range(1, steps + 1)) and result.steps_taken == steps
