"""Stacked population networks (models/stacked.py; sizes in models/shapes.py) against torch.nn
and a plain UGRNN, their initialization and size arithmetic, and fixed-step population
training (training/steps.py)."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnstudy.models.shapes import CELLS, KEEP_GATE, Shape, gates, largest_hidden
from rnnstudy.models.stacked import PopulationRNN
from rnnstudy.training.steps import train_steps

from helpers import (
    member_input,
    mse,
    population,
    rows_of,
    stacked_reference,
    task_batches,
    torch_rnn,
)

SEEDS = [11, 22, 33, 44]  # population()'s members
NOISE = 0.3  # added to the members' parameters: no bias is 0, no IRNN matrix the identity
SHAPES = [(3, 5), (16, 4)]  # (input, hidden)
TORCH_CELLS = ("rnn", "rnn_relu", "irnn", "gru", "lstm")  # the cells torch.nn has
OUTPUTS = 2
STEPS = 6  # sequence length
BATCH = 7


def inputs(model, layout: str, members: int, seed: int = 1, dtype=torch.float64):
    """x [T, P, B, n_in] (one batch per member) or [T, 1, B, n_in] (shared)."""
    width = members if layout == "per_member" else 1
    g = torch.Generator().manual_seed(seed)
    return torch.randn(STEPS, width, BATCH, model.shape.input_dim, generator=g,
                       dtype=torch.float64).to(dtype)


# -- forward against torch.nn ----------------------------------------------------------------

@pytest.mark.parametrize("layout", ["shared", "per_member"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_outputs_match_torch_nn(cell, shape, layers, layout):
    model, params = population(cell, *shape, layers, noise=NOISE)
    x = inputs(model, layout, len(SEEDS))
    w = model.unflatten(params)
    with torch.no_grad():
        got = model.outputs(w, x)
        states = torch.stack(model.states(w, x))  # [T, P, B, H] of the top layer
    assert got.shape == (len(SEEDS), BATCH, OUTPUTS)
    for p in range(len(SEEDS)):
        rnn, linear = stacked_reference(model, w, p)
        with torch.no_grad():
            want_states, _ = rnn(member_input(x, p))
            want = linear(want_states[-1])
        torch.testing.assert_close(states[:, p], want_states, atol=1e-12, rtol=1e-12)
        torch.testing.assert_close(got[p], want, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_outputs_match_torch_nn_in_float32(cell, layers):
    model, params = population(cell, 16, 4, layers, dtype=torch.float32, noise=NOISE)
    x = inputs(model, "per_member", len(SEEDS), dtype=torch.float32)
    w = model.unflatten(params)
    with torch.no_grad():
        got = model.outputs(w, x)
    assert got.dtype == torch.float32
    for p in range(len(SEEDS)):
        rnn, linear = stacked_reference(model, w, p)
        with torch.no_grad():
            want = linear(rnn(member_input(x, p))[0][-1])
        torch.testing.assert_close(got[p], want, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_members_with_the_same_batch_in_both_layouts_agree(cell):
    model, params = population(cell, 3, 5, 2, noise=NOISE)
    x = inputs(model, "shared", len(SEEDS))
    w = model.unflatten(params)
    shared = model.outputs(w, x)
    per_member = model.outputs(w, x.expand(-1, len(SEEDS), -1, -1))
    torch.testing.assert_close(shared, per_member, atol=1e-14, rtol=0)


# -- gradients against torch.nn --------------------------------------------------------------

def targets(members, seed=2):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(members, BATCH, OUTPUTS, generator=g, dtype=torch.float64)


def population_gradient(model, params, x, y):
    """flat_grad of the members' summed MSE, as [P, N] and as per-parameter views."""
    leaf = params.clone().requires_grad_(True)
    views = model.unflatten(leaf)
    loss = ((model.outputs(views, x) - y) ** 2).mean((1, 2)).sum()
    grad = model.flat_grad(loss, views)
    # The gradient with respect to the flat tensor itself is the same.
    loss = ((model.outputs(model.unflatten(leaf), x) - y) ** 2).mean((1, 2)).sum()
    (direct,) = torch.autograd.grad(loss, leaf)
    torch.testing.assert_close(grad, direct, atol=0, rtol=0)
    assert grad.shape == params.shape
    return model.unflatten(grad)


def assert_gradients_equal(got, want, p, name):
    scale = want.abs().max().item()
    assert scale > 0, (p, name)  # else the comparison would be vacuous
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10 * scale,
                               msg=lambda m: f"member {p} {name}: {m}")


@pytest.mark.parametrize("layout", ["shared", "per_member"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_gradients_match_torch_nn(cell, shape, layers, layout):
    model, params = population(cell, *shape, layers, noise=NOISE)
    x, y = inputs(model, layout, len(SEEDS)), targets(len(SEEDS))
    got = population_gradient(model, params, x, y)
    w = model.unflatten(params)
    for p in range(len(SEEDS)):
        rnn, linear = stacked_reference(model, w, p)
        F.mse_loss(linear(rnn(member_input(x, p))[0][-1]), y[p]).backward()
        want = {"w_out": linear.weight.grad.T, "b_out": linear.bias.grad[None]}
        for layer in range(layers):
            want[f"w_ih{layer + 1}"] = getattr(rnn, f"weight_ih_l{layer}").grad.T
            want[f"w_hh{layer + 1}"] = getattr(rnn, f"weight_hh_l{layer}").grad.T
            want[f"b{layer + 1}"] = getattr(rnn, f"bias_ih_l{layer}").grad[None]
        assert set(want) == {name for name, _ in model.layout}
        for name, expected in want.items():
            assert_gradients_equal(got[name][p], expected, p, name)


# -- UGRNN against a plain per-step implementation -------------------------------------------

def ugrnn_reference(w: dict, x, hidden: int):
    """One member's readout from the equations: a = x W_ih + b + h W_hh, c = tanh(a_c),
    g = σ(a_g), h_t = g h_{t-1} + (1 − g) c; layer l + 1 reads layer l's states."""
    layer_input = x  # [T, B, n]
    layer = 1
    while f"w_ih{layer}" in w:
        h = torch.zeros(x.shape[1], hidden, dtype=x.dtype)
        states = []
        for x_t in layer_input:
            a = x_t @ w[f"w_ih{layer}"] + w[f"b{layer}"] + h @ w[f"w_hh{layer}"]
            c, g = torch.tanh(a[:, :hidden]), torch.sigmoid(a[:, hidden:])
            h = g * h + (1 - g) * c
            states.append(h)
        layer_input = torch.stack(states)
        layer += 1
    return h @ w["w_out"] + w["b_out"]


@pytest.mark.parametrize("layout", ["shared", "per_member"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("shape", SHAPES)
def test_ugrnn_matches_its_equations(shape, layers, layout):
    model, params = population("ugrnn", *shape, layers, noise=NOISE)
    assert gates("ugrnn") == 2
    x, y = inputs(model, layout, len(SEEDS)), targets(len(SEEDS))
    w = model.unflatten(params)
    with torch.no_grad():
        got = model.outputs(w, x)
    grads = population_gradient(model, params, x, y)
    for p in range(len(SEEDS)):
        member = {name: w[name][p].clone().requires_grad_(True) for name, _ in model.layout}
        want = ugrnn_reference(member, member_input(x, p), shape[1])
        torch.testing.assert_close(got[p], want.detach(), atol=1e-12, rtol=1e-12)
        F.mse_loss(want, y[p]).backward()
        for name, value in member.items():
            assert_gradients_equal(grads[name][p], value.grad, p, name)


def test_ugrnn_with_closed_gate_keeps_its_state_and_open_gate_forgets_it():
    # g → 1 (huge keep-gate bias): h stays at its first value; g → 0: h is the candidate.
    model = PopulationRNN(Shape("ugrnn", 2, 3, 1, 1))
    params = torch.stack([model.draw(torch.Generator().manual_seed(s), 1.0, bias, torch.float64)
                          for s, bias in [(1, 60.0), (2, -60.0)]])
    w = model.unflatten(params)
    x = torch.randn(5, 1, 4, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    states = model.states(w, x)
    torch.testing.assert_close(states[-1][0], torch.zeros(4, 3, dtype=torch.float64))
    want = torch.tanh(x[-1, 0] @ w["w_ih1"][1][:, :3] + states[-2][1] @ w["w_hh1"][1][:, :3])
    torch.testing.assert_close(states[-1][1], want)


# -- initialization --------------------------------------------------------------------------

def draw(cell, hidden=5, layers=2, seed=0, scale=0.9, gate_bias=1.5, input_dim=3):
    model = PopulationRNN(Shape(cell, input_dim, hidden, layers, OUTPUTS))
    params = model.draw(torch.Generator().manual_seed(seed), scale, gate_bias)
    assert params.shape == (model.n_params,) and params.dtype == torch.float32
    return model, model.unflatten(params[None])


def test_irnn_starts_at_scaled_identity_with_zero_biases():
    model, w = draw("irnn", hidden=6, layers=2, scale=0.7)
    for layer in (1, 2):
        torch.testing.assert_close(w[f"w_hh{layer}"][0], 0.7 * torch.eye(6), atol=0, rtol=0)
        assert not w[f"b{layer}"].any()
        assert w[f"w_ih{layer}"].std() > 0.1  # the input weights are still random
    assert not w["b_out"].any()


@pytest.mark.parametrize("cell", ["gru", "lstm", "ugrnn"])
def test_keep_gate_bias_is_gate_bias_and_other_biases_zero(cell):
    hidden = 5
    model, w = draw(cell, hidden=hidden, layers=2, gate_bias=1.5)
    assert KEEP_GATE[cell] == 1  # GRU z, LSTM f, UGRNN g: the second block
    for layer in (1, 2):
        b = w[f"b{layer}"][0, 0]
        assert b.shape == (gates(cell) * hidden,)
        blocks = b.view(gates(cell), hidden)
        assert torch.equal(blocks[1], torch.full((hidden,), 1.5))
        assert not blocks[0].any() and not blocks[2:].any()
    assert not w["b_out"].any()


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu"])
def test_rnn_biases_are_zero_whatever_the_gate_bias(cell):
    model, w = draw(cell, gate_bias=2.0)
    assert not any(w[name].any() for name in ("b1", "b2", "b_out"))


@pytest.mark.parametrize("cell", CELLS)
def test_same_seed_same_parameters_different_seeds_differ(cell):
    model = PopulationRNN(Shape(cell, 3, 4, 2, 1))

    def params(seed):
        return model.draw(torch.Generator().manual_seed(seed), 1.0, 1.0)
    assert torch.equal(params(5), params(5))
    assert not torch.equal(params(5), params(6))


def test_draw_honours_dtype_and_float32_is_float64_rounded():
    model = PopulationRNN(Shape("lstm", 3, 4, 2, 1))
    wide = model.draw(torch.Generator().manual_seed(1), 1.0, 1.0, torch.float64)
    narrow = model.draw(torch.Generator().manual_seed(1), 1.0, 1.0, torch.float32)
    assert wide.dtype == torch.float64 and narrow.dtype == torch.float32
    assert torch.equal(wide.to(torch.float32), narrow)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm", "ugrnn"])
def test_weight_scales_for_a_large_hidden(cell):
    hidden, scale = 256, 1.3
    model, w = draw(cell, hidden=hidden, layers=2, scale=scale, input_dim=16)
    # W_hh ~ N(0, scale²/H); W_ih ~ N(0, 1/fan_in); readout ~ N(0, 1/H).
    for layer in (1, 2):
        std = scale / math.sqrt(hidden)
        assert w[f"w_hh{layer}"].std().item() == pytest.approx(std, rel=0.02)
        assert abs(w[f"w_hh{layer}"].mean().item()) < 0.05 * std
    assert w["w_ih1"].std().item() == pytest.approx(1 / math.sqrt(16), rel=0.03)
    assert w["w_ih2"].std().item() == pytest.approx(1 / math.sqrt(hidden), rel=0.02)
    assert w["w_out"].std().item() == pytest.approx(1 / math.sqrt(hidden), rel=0.1)


def test_unflatten_gives_views_that_cover_params_once():
    model = PopulationRNN(Shape("gru", 3, 4, 2, 2))
    params = torch.zeros(3, model.n_params)
    w = model.unflatten(params)
    for i, name in enumerate(w):
        w[name] += i + 1  # writes through the views
    counts = torch.bincount(params.flatten().long(), minlength=len(w) + 1)
    assert counts[0] == 0  # every entry belongs to some view
    assert sum(v.numel() for v in w.values()) == params.numel()
    assert w["w_ih2"].shape == (3, 4, 12) and w["b1"].shape == (3, 1, 12)


# -- sizes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("layers", [1, 3])
@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_parameter_count_is_torch_nns_without_bias_hh(cell, layers):
    for input_dim, hidden, outputs in [(3, 5, 2), (16, 7, 1), (1, 1, 1)]:
        shape = Shape(cell, input_dim, hidden, layers, outputs)
        rnn = torch_rnn(cell, input_dim, hidden, layers)
        linear = nn.Linear(hidden, outputs)
        total = sum(p.numel() for m in (rnn, linear) for p in m.parameters())
        bias_hh = sum(getattr(rnn, f"bias_hh_l{k}").numel() for k in range(layers))
        assert bias_hh == layers * gates(cell) * hidden
        assert shape.n_params == total - bias_hh == PopulationRNN(shape).n_params


def test_ugrnn_parameter_count():
    # layer 1: 2H(n+H+1); layer 2: 2H(2H+1); readout H·K + K
    n, h, k = 4, 6, 3
    want = 2 * h * (n + h + 1) + 2 * h * (2 * h + 1) + h * k + k
    assert Shape("ugrnn", n, h, 2, k).n_params == want


@pytest.mark.parametrize("budget", [40, 768, 5000, 100_000])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", CELLS)
def test_largest_hidden_is_the_largest_within_the_budget(cell, layers, budget):
    hidden = largest_hidden(cell, 16, layers, 1, budget)
    if Shape(cell, 16, 1, layers, 1).n_params > budget:
        assert hidden == 0
        return
    assert hidden >= 1
    assert Shape(cell, 16, hidden, layers, 1).n_params <= budget
    assert Shape(cell, 16, hidden + 1, layers, 1).n_params > budget


def test_largest_hidden_is_zero_when_not_one_unit_fits():
    smallest = Shape("lstm", 16, 1, 2, 1).n_params
    assert largest_hidden("lstm", 16, 2, 1, smallest - 1) == 0
    assert largest_hidden("lstm", 16, 2, 1, smallest) == 1
    assert largest_hidden("rnn", 16, 1, 1, 0) == 0


@pytest.mark.parametrize("sizes,refusal", [
    (("rnn", 0, 4, 1, 1), "must be at least 1"), (("rnn", 3, 0, 1, 1), "must be at least 1"),
    (("gru", 3, 4, 0, 1), "must be at least 1"), (("lstm", 3, 4, 1, 0), "must be at least 1"),
    (("rnn", -1, 4, 1, 1), "must be at least 1"),
    (("transformer", 3, 4, 1, 1), "unknown cell 'transformer'"),
    (("RNN", 3, 4, 1, 1), "unknown cell 'RNN'")])
def test_bad_sizes_and_unknown_cells_are_refused(sizes, refusal):
    with pytest.raises(ValueError, match=refusal):
        Shape(*sizes)


def test_largest_hidden_refuses_unknown_cells_and_bad_sizes():
    with pytest.raises(ValueError, match="unknown cell"):
        largest_hidden("transformer", 16, 1, 1, 768)
    with pytest.raises(ValueError, match="must be at least 1"):
        largest_hidden("gru", 0, 1, 1, 768)
    with pytest.raises(ValueError, match="must be at least 1"):
        largest_hidden("gru", 16, 0, 1, 768)


# -- fixed-step training ---------------------------------------------------------------------

@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm", "ugrnn"])
def test_a_member_trains_as_in_a_population_as_alone(cell, layers):
    steps = 20
    model, params = population(cell, 3, 5, layers, seeds=[1, 2, 3])
    lr = torch.tensor([1e-2, 3e-3, 3e-2], dtype=torch.float64)
    x, y = task_batches(model, 3, steps)
    together = train_steps(model, params, lr, steps, rows_of(x, y, [0, 1, 2]), mse, 5)
    assert not together.diverged_at.any()
    assert together.curve.shape == (3 * 4, 3)
    assert (together.params != params).any(1).all()  # every member moved
    for p in range(3):
        alone = train_steps(model, params[p:p + 1], lr[p:p + 1], steps, rows_of(x, y, [p]),
                            mse, 5)
        torch.testing.assert_close(together.params[p], alone.params[0], atol=1e-12, rtol=1e-12)
        np.testing.assert_allclose(
            together.curve[together.curve.member == p].train_loss.to_numpy(),
            alone.curve.train_loss.to_numpy(), atol=1e-12, rtol=1e-12)
    # The caller's params are left alone.
    assert torch.equal(params, population(cell, 3, 5, layers, seeds=[1, 2, 3])[1])


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_adam_matches_torch_optim_step_for_step(cell):
    steps, members = 12, 3
    model, params = population(cell, 3, 5, 2, seeds=[4, 5, 6], noise=NOISE)
    lr = torch.tensor([1e-2, 3e-3, 5e-2], dtype=torch.float64)
    x, y = task_batches(model, members, steps)
    seen = []
    train_steps(model, params, lr, steps, rows_of(x, y, list(range(members))), mse, 1,
                lambda step, p: seen.append(p.clone()))
    assert len(seen) == steps
    w = model.unflatten(params)
    for p in range(members):
        rnn, linear = stacked_reference(model, w, p)
        for layer in range(2):
            getattr(rnn, f"bias_hh_l{layer}").requires_grad_(False)  # b_hh stays 0
        trained = [q for m in (rnn, linear) for q in m.parameters() if q.requires_grad]
        optimizer = torch.optim.Adam(trained, lr=float(lr[p]))
        for step in range(steps):
            loss = F.mse_loss(linear(rnn(x[step][:, p])[0][-1]), y[step][p])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            got = model.unflatten(seen[step][p:p + 1])
            for layer in range(2):
                for name, torch_name in [("w_ih", "weight_ih"), ("w_hh", "weight_hh")]:
                    torch.testing.assert_close(
                        got[f"{name}{layer + 1}"][0],
                        getattr(rnn, f"{torch_name}_l{layer}").detach().T, atol=1e-10, rtol=0)
                torch.testing.assert_close(got[f"b{layer + 1}"][0, 0],
                                           getattr(rnn, f"bias_ih_l{layer}").detach(),
                                           atol=1e-10, rtol=0)
            torch.testing.assert_close(got["w_out"][0], linear.weight.detach().T, atol=1e-10,
                                       rtol=0)
            torch.testing.assert_close(got["b_out"][0, 0], linear.bias.detach(), atol=1e-10,
                                       rtol=0)


@pytest.mark.parametrize("how", ["inf_input", "huge_lr"])
def test_a_diverging_member_stops_and_leaves_the_others_alone(how):
    steps, bad, at = 10, 1, 5
    dtype = torch.float32
    model, params = population("rnn_relu", 3, 5, 2, dtype=dtype, seeds=[1, 2, 3], noise=NOISE)
    lr = torch.tensor([1e-2, 1e-2, 3e-3], dtype=torch.float64)
    x, y = task_batches(model, 3, steps, dtype=dtype)
    if how == "inf_input":
        x[at - 1, :, bad] = float("inf")
    else:
        lr[bad] = 1e30  # the first step throws its weights to ~1e31; relu states overflow
    seen = []
    result = train_steps(model, params, lr, steps, rows_of(x, y, [0, 1, 2]), mse, 1,
                         lambda step, p: seen.append(p.clone()))
    diverged = result.diverged_at[bad].item()
    assert diverged == at if how == "inf_input" else diverged > 0
    assert result.diverged_at[[0, 2]].eq(0).all()
    assert torch.isfinite(result.params).all()
    # The member keeps its last finite step's parameters and has no loss after diverging.
    last_finite = seen[diverged - 2][bad] if diverged > 1 else params[bad]
    assert torch.equal(result.params[bad], last_finite)
    curve = result.curve[result.curve.member == bad].set_index("step").train_loss
    assert curve.loc[diverged:].isna().all() and curve.loc[:diverged - 1].notna().all()
    # The others trained exactly as without it.
    others = train_steps(model, params[[0, 2]], lr[[0, 2]], steps, rows_of(x, y, [0, 2]), mse,
                         1)
    torch.testing.assert_close(result.params[[0, 2]], others.params, atol=1e-6, rtol=1e-6)


def test_a_gru_learns_to_recall_its_first_input():
    # x_1 ~ N(0, 1) then noise, 3 steps; the target is x_1: MSE starts near 1.
    members, steps, batch_size = 2, 300, 32
    model = PopulationRNN(Shape("gru", 1, 8, 1, 1))
    params = torch.stack([model.draw(torch.Generator().manual_seed(s), 1.0, 1.0)
                          for s in range(members)])
    lr = torch.tensor([1e-2, 2e-2], dtype=torch.float64)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(steps, 3, members, batch_size, 1, generator=g)

    def batch(step):
        return x[step - 1], x[step - 1, 0]
    result = train_steps(model, params, lr, steps, batch, mse, 50)
    curve = result.curve.pivot(index="step", columns="member", values="train_loss")
    first, last = curve.iloc[0], curve.iloc[-1]
    assert (first > 0.3).all()
    assert (last < first / 20).all(), curve
    assert not result.diverged_at.any()


def test_clipping_rescales_each_member_as_torch_clip_grad_norm():
    from rnnstudy.training.steps import clip_rows
    grad = torch.randn(4, 30, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    grad[1] *= 1e-3  # below the limit: untouched
    clipped = clip_rows(grad, 1.0)
    for row, out in zip(grad, clipped, strict=True):
        reference = row.clone().requires_grad_(True)
        reference.grad = row.clone()
        torch.nn.utils.clip_grad_norm_([reference], 1.0)
        assert torch.allclose(out, reference.grad, rtol=1e-12, atol=0)
    assert torch.equal(clipped[1], grad[1])
