"""The numerical pieces the results rest on: FastTanh, the tanh every cell trains through."""
import pytest
import torch

from rnnstudy.models.cells import FastTanh, fast_tanh

torch.set_num_threads(1)

# Small, moderate, saturating and far-saturated values, both signs. On the CPU FastTanh is
# 2·σ(2x) − 1, so the doubling and the sigmoid's tails are what large magnitudes exercise.
LARGE = [0.0, 1e-12, 1e-3, 0.5, 3.0, 10.0, 19.0, 25.0, 40.0, 1e3, 1e8, 1e300]
EDGES = torch.tensor(LARGE + [-v for v in LARGE[1:]], dtype=torch.float64)


def moderate(shape, seed):
    return 3 * torch.randn(shape, generator=torch.Generator().manual_seed(seed),
                           dtype=torch.float64)


@pytest.mark.parametrize("x", [moderate((4, 3, 5), 1), moderate((5, 7), 2).T, EDGES],
                         ids=["moderate", "transposed", "large"])
def test_fast_tanh_backward_passes_gradcheck(x):
    x = x.detach().requires_grad_(True)
    assert torch.autograd.gradcheck(FastTanh.apply, (x,), eps=1e-6, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("dtype, atol", [(torch.float64, 1e-15), (torch.float32, 1e-6)])
def test_fast_tanh_is_tanh_forward_and_backward(dtype, atol):
    x = torch.cat([moderate((200,), 3), EDGES]).to(dtype)
    given = x.clone()
    mine = x.clone().requires_grad_(True)
    torchs = x.clone().requires_grad_(True)
    y = fast_tanh(mine)
    torch.testing.assert_close(y, torch.tanh(torchs), atol=atol, rtol=0)
    assert torch.equal(x, given)  # the input is left alone: tanh_ works on a copy
    upstream = moderate(x.shape, 4).to(dtype)
    (got,) = torch.autograd.grad(y, mine, upstream)
    (want,) = torch.autograd.grad(torch.tanh(torchs), torchs, upstream)
    torch.testing.assert_close(got, want, atol=atol * 10, rtol=0)


def test_fast_tanh_of_huge_float32_is_one_with_zero_gradient():
    # 2x overflows to ±inf beyond float32's largest/2: tanh must still be ±1, not NaN, and
    # its derivative exactly 0, so a saturated unit passes no gradient at all.
    x = torch.tensor([2e38, -2e38, float("inf"), -float("inf"), 50.0, -50.0],
                     requires_grad=True)
    y = fast_tanh(x)
    assert y.tolist() == [1.0, -1.0, 1.0, -1.0, 1.0, -1.0]
    (grad,) = torch.autograd.grad(y.sum(), x)
    assert grad.tolist() == [0.0] * 6
