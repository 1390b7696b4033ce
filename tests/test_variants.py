"""The LSTM variants (peephole, CIFG, no forget gate) of models/cells.py against a direct
per-step implementation of their equations and against the special cases they reduce to, and
the recurrent-matrix initializations of models/stacked.py (E14) against their definitions and
torch.nn.init. All in float64."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnstudy.models.shapes import KEEP_GATE, LSTM_VARIANTS, Shape, gates
from rnnstudy.models.stacked import RECURRENT_INITS, PopulationRNN

from helpers import member_input, population

SEEDS = [3, 4, 5]
STEPS, BATCH, OUTPUTS = 6, 5, 2
# Gate blocks of each cell's weight columns, in order.
BLOCKS = {"lstm": "ifgo", "lstm_peephole": "ifgo", "lstm_cifg": "fgo", "lstm_nf": "igo"}


def data(model, layout):
    g = torch.Generator().manual_seed(7)
    width = len(SEEDS) if layout == "per_member" else 1
    x = torch.randn(STEPS, width, BATCH, model.shape.input_dim, generator=g, dtype=torch.float64)
    y = torch.randn(len(SEEDS), BATCH, OUTPUTS, generator=g, dtype=torch.float64)
    return x, y


def variant_reference(cell: str, w: dict, x, hidden: int):
    """One member's readout, step by step from the equations, one gate at a time:
    a_k = x W_k + h R_k + b_k for each gate k of the cell;
    peephole: i = σ(a_i + p_i c_{t−1}), f = σ(a_f + p_f c_{t−1}), o = σ(a_o + p_o c_t);
    CIFG: f = σ(a_f), i = 1 − f; no forget gate: f = 1;
    c_t = f c_{t−1} + i tanh(a_g), h_t = σ(a_o …) tanh(c_t)."""
    layer_input, layer = x, 1
    while f"w_ih{layer}" in w:
        W, R, b = w[f"w_ih{layer}"], w[f"w_hh{layer}"], w[f"b{layer}"][0]

        def pre(gate, x_t, h):
            k = BLOCKS[cell].index(gate)
            cols = slice(k * hidden, (k + 1) * hidden)
            return x_t @ W[:, cols] + h @ R[:, cols] + b[cols]
        if cell == "lstm_peephole":
            p = w[f"peep{layer}"][0]
            p_i, p_f, p_o = p[:hidden], p[hidden:2 * hidden], p[2 * hidden:]
        h = torch.zeros(x.shape[1], hidden, dtype=x.dtype)
        c = torch.zeros_like(h)
        states = []
        for x_t in layer_input:
            if cell == "lstm_peephole":
                i = torch.sigmoid(pre("i", x_t, h) + p_i * c)
                f = torch.sigmoid(pre("f", x_t, h) + p_f * c)
            elif cell == "lstm_cifg":
                f = torch.sigmoid(pre("f", x_t, h))
                i = 1 - f
            elif cell == "lstm_nf":
                i, f = torch.sigmoid(pre("i", x_t, h)), 1.0
            c = f * c + i * torch.tanh(pre("g", x_t, h))
            a_o = pre("o", x_t, h) + (p_o * c if cell == "lstm_peephole" else 0)
            h = torch.sigmoid(a_o) * torch.tanh(c)
            states.append(h)
        layer_input, layer = torch.stack(states), layer + 1
    return layer_input, h @ w["w_out"] + w["b_out"]


@pytest.mark.parametrize("layout", ["shared", "per_member"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", LSTM_VARIANTS)
def test_variant_states_and_gradients_equal_its_equations(cell, layers, layout):
    hidden = 4
    model, params = population(cell, 3, hidden, layers, seeds=SEEDS, noise=0.3)
    x, y = data(model, layout)
    leaf = params.clone().requires_grad_(True)
    views = model.unflatten(leaf)
    states = torch.stack(model.states(views, x))  # [T, P, B, H], top layer
    outputs = model.outputs(views, x)
    grads = model.unflatten(model.flat_grad(((outputs - y) ** 2).mean((1, 2)).sum(), views))
    for p in range(len(SEEDS)):
        member = {name: views[name][p].detach().clone().requires_grad_(True)
                  for name, _ in model.layout}
        want_states, want = variant_reference(cell, member, member_input(x, p), hidden)
        torch.testing.assert_close(states[:, p].detach(), want_states.detach(), atol=1e-12,
                                   rtol=1e-12)
        torch.testing.assert_close(outputs[p].detach(), want.detach(), atol=1e-12, rtol=1e-12)
        F.mse_loss(want, y[p]).backward()
        for name, value in member.items():
            scale = value.grad.abs().max().item()
            assert scale > 0, (p, name)  # every parameter, peepholes included, matters
            torch.testing.assert_close(grads[name][p], value.grad, rtol=1e-10,
                                       atol=1e-10 * scale, msg=lambda m: f"{p} {name}: {m}")


def copy_into(model_from, w_from, model_to, rewrite) -> torch.Tensor:
    """Parameters [P, N] of `model_to` from `w_from` (of model_from), per-parameter
    through rewrite(name, value [P, rows, cols]) → value of model_to's shape."""
    parts = [rewrite(name, w_from.get(name)).reshape(len(SEEDS), -1)
             for name, _ in model_to.layout]
    return torch.cat(parts, dim=1)


def blocks_of(value, cell, hidden):
    return dict(zip(BLOCKS[cell], value.split(hidden, dim=-1)))


def test_peephole_lstm_with_zero_peepholes_is_the_lstm_and_torch_nn():
    hidden, layers = 4, 2
    model, params = population("lstm_peephole", 3, hidden, layers, seeds=SEEDS, noise=0.3)
    w = model.unflatten(params)
    for layer in range(1, layers + 1):
        w[f"peep{layer}"].zero_()
    lstm = PopulationRNN(Shape("lstm", 3, hidden, layers, OUTPUTS))
    plain = copy_into(model, w, lstm, lambda name, value: value)
    x, _ = data(model, "per_member")
    torch.testing.assert_close(model.outputs(w, x), lstm.outputs(lstm.unflatten(plain), x),
                               atol=1e-14, rtol=1e-14)
    reference = nn.LSTM(3, hidden, layers).double()
    with torch.no_grad():
        for layer in range(layers):
            for kind in ("ih", "hh"):
                getattr(reference, f"weight_{kind}_l{layer}").copy_(w[f"w_{kind}{layer + 1}"][0].T)
            getattr(reference, f"bias_ih_l{layer}").copy_(w[f"b{layer + 1}"][0, 0])
            getattr(reference, f"bias_hh_l{layer}").zero_()
        want = reference(x[:, 0])[0][-1] @ w["w_out"][0] + w["b_out"][0]
    torch.testing.assert_close(model.outputs(w, x)[0], want, atol=1e-12, rtol=1e-12)


def test_cifg_is_the_lstm_whose_input_gate_mirrors_its_forget_gate():
    # σ(−a) = 1 − σ(a): an LSTM with the i block = −(the f block) has i = 1 − f.
    hidden, layers = 4, 2
    cifg, params = population("lstm_cifg", 3, hidden, layers, seeds=SEEDS, noise=0.3)
    w = cifg.unflatten(params)
    lstm = PopulationRNN(Shape("lstm", 3, hidden, layers, OUTPUTS))

    def rewrite(name, value):
        if name[0] in "wb" and name[-1].isdigit():
            b = blocks_of(value, "lstm_cifg", hidden)
            return torch.cat([-b["f"], b["f"], b["g"], b["o"]], dim=-1)
        return value
    x, _ = data(cifg, "shared")
    got = cifg.outputs(w, x)
    torch.testing.assert_close(got, lstm.outputs(lstm.unflatten(copy_into(cifg, w, lstm, rewrite)),
                                                 x), atol=1e-13, rtol=1e-13)


def test_no_forget_gate_is_the_lstm_with_a_saturated_forget_gate():
    # f-block weights 0 and bias 40: σ(40) = 1 − 4e-18 rounds to 1 in float64.
    hidden, layers = 4, 2
    nf, params = population("lstm_nf", 3, hidden, layers, seeds=SEEDS, noise=0.3)
    w = nf.unflatten(params)
    lstm = PopulationRNN(Shape("lstm", 3, hidden, layers, OUTPUTS))
    assert torch.sigmoid(torch.tensor(40.0, dtype=torch.float64)).item() == 1.0

    def rewrite(name, value):
        if name[0] in "wb" and name[-1].isdigit():
            b = blocks_of(value, "lstm_nf", hidden)
            forget = torch.full_like(b["i"], 40.0 if name.startswith("b") else 0.0)
            return torch.cat([b["i"], forget, b["g"], b["o"]], dim=-1)
        return value
    x, _ = data(nf, "per_member")
    torch.testing.assert_close(nf.outputs(w, x),
                               lstm.outputs(lstm.unflatten(copy_into(nf, w, lstm, rewrite)), x),
                               atol=1e-14, rtol=1e-14)


def test_no_forget_gate_cell_adds_up_its_writes():
    # i = 1 (huge input bias), g = tanh(a_g) and o = 1: c_T = Σ_t tanh(a_g,t) exactly.
    model = PopulationRNN(Shape("lstm_nf", 1, 1, 1, 1))
    params = torch.zeros(1, model.n_params, dtype=torch.float64)
    w = model.unflatten(params)
    w["w_ih1"][0, 0] = torch.tensor([0.0, 1.0, 0.0])  # x enters the candidate only
    w["b1"][0, 0] = torch.tensor([60.0, 0.0, 60.0])  # i = o = 1
    x = torch.tensor([0.3, -0.2, 0.9, 0.4], dtype=torch.float64).view(4, 1, 1, 1)
    h = torch.stack(model.states(w, x))[:, 0, 0, 0]
    torch.testing.assert_close(h, torch.tanh(torch.cumsum(torch.tanh(x.flatten()), 0)))


@pytest.mark.parametrize("cell", ["lstm_peephole", "lstm_cifg"])
def test_forget_gate_bias_lands_on_the_forget_block(cell):
    hidden = 5
    model = PopulationRNN(Shape(cell, 3, hidden, 2, OUTPUTS))
    w = model.unflatten(model.draw(torch.Generator().manual_seed(0), 1.0, 1.5)[None])
    assert BLOCKS[cell][KEEP_GATE[cell]] == "f"
    for layer in (1, 2):
        blocks = w[f"b{layer}"][0, 0].view(gates(cell), hidden)
        for k, gate in enumerate(BLOCKS[cell]):
            assert torch.equal(blocks[k], torch.full((hidden,), 1.5 if gate == "f" else 0.0))
    if cell == "lstm_peephole":
        assert not w["peep1"].any() and not w["peep2"].any()


def test_no_forget_gate_ignores_the_gate_bias_and_peepholes_start_as_the_lstm():
    nf = PopulationRNN(Shape("lstm_nf", 3, 4, 2, OUTPUTS))
    assert "lstm_nf" not in KEEP_GATE
    assert torch.equal(nf.draw(torch.Generator().manual_seed(0), 1.0, 2.0),
                       nf.draw(torch.Generator().manual_seed(0), 1.0, 0.0))
    w = nf.unflatten(nf.draw(torch.Generator().manual_seed(0), 1.0, 2.0)[None])
    assert not any(w[name].any() for name in ("b1", "b2", "b_out"))
    # same generator: the peephole LSTM's weights are the LSTM's, its peepholes 0
    peep = PopulationRNN(Shape("lstm_peephole", 3, 4, 2, OUTPUTS))
    lstm = PopulationRNN(Shape("lstm", 3, 4, 2, OUTPUTS))
    a = peep.unflatten(peep.draw(torch.Generator().manual_seed(1), 0.8, 1.0)[None])
    b = lstm.unflatten(lstm.draw(torch.Generator().manual_seed(1), 0.8, 1.0)[None])
    assert all(torch.equal(a[name], b[name]) for name in b)


def test_variant_parameter_counts():
    n, h, k = 3, 5, 2
    lstm = Shape("lstm", n, h, 2, k).n_params
    readout = h * k + k
    # CIFG and no-forget: three of the LSTM's four blocks; peephole: 3H more per layer
    assert Shape("lstm_cifg", n, h, 2, k).n_params - readout == 3 * (lstm - readout) // 4
    assert Shape("lstm_nf", n, h, 2, k).n_params == Shape("lstm_cifg", n, h, 2, k).n_params
    assert Shape("lstm_peephole", n, h, 2, k).n_params == lstm + 2 * 3 * h
    assert PopulationRNN(Shape("lstm_peephole", n, h, 2, k)).n_params == lstm + 6 * h


# -- recurrent-matrix initializations (E14) ---------------------------------------------------

def recurrent(cell, init, hidden=6, layers=2, seed=0, scale=1.0):
    model = PopulationRNN(Shape(cell, 3, hidden, layers, OUTPUTS))
    params = model.draw(torch.Generator().manual_seed(seed), scale, 1.0, torch.float64, init)
    return model, model.unflatten(params[None])


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu"])
def test_no_init_named_is_the_default_draw_bit_for_bit(cell):
    model = PopulationRNN(Shape(cell, 3, 7, 2, OUTPUTS))

    def params(init):
        return model.draw(torch.Generator().manual_seed(4), 0.9, 1.0, torch.float32, init)
    assert torch.equal(params(None), params("default"))
    # ... and is W_hh ~ N(0, scale²/H) drawn right after W_ih (E8–E11's draw)
    g = torch.Generator().manual_seed(4)
    w_ih = torch.randn(3, 7, generator=g, dtype=torch.float64) / math.sqrt(3)
    w_hh = torch.randn(7, 7, generator=g, dtype=torch.float64) * 0.9 / math.sqrt(7)
    w = model.unflatten(params(None)[None])
    assert torch.equal(w["w_ih1"][0], w_ih.float()) and torch.equal(w["w_hh1"][0], w_hh.float())


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu"])
def test_orthogonal_init_is_orthonormal_and_torch_nn_inits(cell):
    hidden, scale = 6, 1.3
    model, w = recurrent(cell, "orthogonal", hidden, scale=scale)
    eye = torch.eye(hidden, dtype=torch.float64)
    for layer in (1, 2):
        q = w[f"w_hh{layer}"][0] / scale
        torch.testing.assert_close(q @ q.T, eye, atol=1e-12, rtol=0)  # rows
        torch.testing.assert_close(q.T @ q, eye, atol=1e-12, rtol=0)  # columns
    assert not torch.equal(w["w_hh1"], w["w_hh2"])
    # torch.nn.init.orthogonal_ fed the same generator at the same point of the draw
    g = torch.Generator().manual_seed(0)
    torch.randn(3, hidden, generator=g, dtype=torch.float64)  # W_ih of layer 1
    torch_weight = torch.empty(hidden, hidden, dtype=torch.float64)  # torch's [out, in]
    nn.init.orthogonal_(torch_weight, gain=scale, generator=g)
    assert torch.equal(w["w_hh1"][0], torch_weight.T)


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu"])
def test_identity_init_is_exact(cell):
    model, w = recurrent(cell, "identity", 5, scale=0.8)
    for layer in (1, 2):
        assert torch.equal(w[f"w_hh{layer}"][0], 0.8 * torch.eye(5, dtype=torch.float64))
        assert not w[f"b{layer}"].any()  # the IRNN's zero biases


def test_he_init_has_variance_two_over_fan_in_and_is_torch_nns():
    # 256² = 65,536 draws: the sample variance's relative standard error is
    # √(2/65,536) ≈ 0.55%, so a 3% tolerance is about 5.5 standard errors.
    hidden = 256
    model, w = recurrent("rnn_relu", "he", hidden, layers=1)
    value = w["w_hh1"][0]
    assert value.var().item() == pytest.approx(2 / hidden, rel=0.03)
    assert abs(value.mean().item()) < 4 * math.sqrt(2 / hidden) / hidden  # 4 s.e. of the mean
    g = torch.Generator().manual_seed(0)
    torch.randn(3, hidden, generator=g, dtype=torch.float64)
    torch_weight = torch.empty(hidden, hidden, dtype=torch.float64)
    nn.init.kaiming_normal_(torch_weight, mode="fan_in", nonlinearity="relu", generator=g)
    assert torch.equal(value, torch_weight.T)


def test_recurrent_inits_touch_only_the_recurrent_matrices():
    base = recurrent("rnn", None)[1]
    for init in RECURRENT_INITS:
        w = recurrent("rnn", init)[1]
        assert torch.equal(w["w_ih1"], base["w_ih1"])  # drawn before any W_hh
        for name in ("b1", "b2", "b_out"):
            assert torch.equal(w[name], base[name])


@pytest.mark.parametrize("cell", ["gru", "lstm", "irnn", "lstm_cifg"])
def test_recurrent_init_is_refused_for_other_cells(cell):
    model = PopulationRNN(Shape(cell, 3, 4, 1, 1))
    with pytest.raises(ValueError, match="recurrent_init"):
        model.draw(torch.Generator().manual_seed(0), 1.0, 1.0, recurrent_init="orthogonal")


def test_unknown_recurrent_init_is_refused():
    model = PopulationRNN(Shape("rnn", 3, 4, 1, 1))
    with pytest.raises(ValueError, match="unknown recurrent init"):
        model.draw(torch.Generator().manual_seed(0), 1.0, 1.0, recurrent_init="xavier")
