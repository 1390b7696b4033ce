"""The fused path: hand-written forward and backward passes of whole sequences
(population_rnn.cpp) for the RNN, GRU and LSTM cells, in place of the plain path's loop of
torch ops and autograd's records of them (models/cells.py, which stays the reference).

Three entry points, each behind a two-line hook: `train_epoch` runs the classifier's whole
training epoch (training/trainer.train_epoch: every minibatch's forward, loss, backward and
Adam step) in one call, so no per-step work is left in Python; `classifier_logits` is the
classifier's forward with its backward for autograd (PopulationClassifier.logits_of);
`scan` is a layer of the stacked networks (models/cells.scan, for the cells and sizes
`scan_enabled` names).

`enabled` is the one place that chooses between the paths. The process's path is the
config's `kernels` key (`select`, called by every job before it computes; "fused" unless a
job selects otherwise), or a `use` block's (the benchmark's and the tests' comparisons). On
the fused path the kernels take CPU tensors of float32 or float64 when they load (compiled
on first use, then cached: build.py); the plain path takes everything else, saying why once
in the log: a machine without a compiler, or CUDA tensors (the kernels are CPU code).
Both compute the same functions (tests/test_fused.py: against the plain path, torch.nn, and
a member alone), to float rounding: sums run in another order.
"""
import logging
from contextlib import contextmanager

import torch
from torch import Tensor

from .build import load_kernels

log = logging.getLogger(__name__)

CELLS = {"rnn": 0, "rnn_relu": 1, "gru": 2, "lstm": 3}  # population_rnn.cpp's Cell
PATHS = ("fused", "plain")

_kernels = None
_said = set()  # reasons for the plain path already logged
_selected = "fused"  # the process's path (the config's `kernels`)
_chosen = None  # the path a `use` block chose, if any


def _checked(path: str) -> str:
    if path not in PATHS:
        raise ValueError(f"unknown kernels {path!r}: fused or plain")
    return path


def select(path: str) -> None:
    """Make `path` ("fused" or "plain") the process's path: the config's `kernels`."""
    global _selected
    _selected = _checked(path)


@contextmanager
def use(path: str):
    """Choose the path ("fused" or "plain") inside this block, whatever was selected (the
    benchmark's and the tests' comparisons)."""
    global _chosen
    before, _chosen = _chosen, _checked(path)
    try:
        yield
    finally:
        _chosen = before


def _once(reason: str) -> None:
    if reason not in _said:
        _said.add(reason)
        log.warning("recurrent cells run the plain PyTorch path: %s", reason)


def kernels():
    """The compiled kernels, or None where they cannot be built (said once in the log)."""
    global _kernels
    if _kernels is None:
        try:
            _kernels = load_kernels()
        except Exception as error:  # no compiler, headers or libmvec: any build failure
            _kernels = False
            _once(f"the fused kernels did not build ({type(error).__name__}: "
                  f"{str(error).strip().splitlines()[-1] if str(error).strip() else ''})")
    return _kernels or None


def enabled(model: str, x: Tensor) -> bool:
    """Whether `model`'s cell runs fused on tensors like `x`."""
    if ((_chosen or _selected) == "plain" or model not in CELLS
            or x.dtype not in (torch.float32, torch.float64)):
        return False
    if x.device.type != "cpu":
        _once(f"the fused kernels are CPU code, and tensors are on {x.device.type}")
        return False
    return kernels() is not None


class _Classifier(torch.autograd.Function):
    @staticmethod
    def forward(ctx, model, tokens, embedding, w_ih, w_hh, b_ih, b_hh, w_out, b_out):
        logits, states, kept = kernels().classifier_forward(
            CELLS[model], tokens, embedding, w_ih, w_hh, b_ih, b_hh, w_out, b_out)
        ctx.model = model
        ctx.save_for_backward(tokens, embedding, w_ih, w_hh, w_out, states, kept)
        return logits

    @staticmethod
    def backward(ctx, grad):
        tokens, embedding, w_ih, w_hh, w_out, states, kept = ctx.saved_tensors
        grads = kernels().classifier_backward(CELLS[ctx.model], grad.contiguous(), tokens,
                                              embedding, w_ih, w_hh, w_out, states, kept)
        return (None, None, *(g if need else None
                              for g, need in zip(grads, ctx.needs_input_grad[2:])))


def classifier_logits(model: str, w: dict[str, Tensor], tokens: Tensor) -> Tensor:
    """models/classifier.py's logits [P, B, C] (embedding, cell, readout of the last
    state) from its parameter views `w`, for tokens [B, T] (shared) or [P, B, T]."""
    if tokens.dim() == 2:
        tokens = tokens.unsqueeze(0)
    return _Classifier.apply(model, tokens, w["embedding"], w["w_ih"], w["w_hh"], w["b_ih"],
                             w["b_hh"], w["w_out"], w["b_out"])


class _Scan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, model, gx, w_hh, b_hh):
        states, saved, kept = kernels().scan_forward(CELLS[model], gx, w_hh, b_hh)
        ctx.model = model
        ctx.save_for_backward(w_hh, saved, kept)
        return states

    @staticmethod
    def backward(ctx, grad):
        w_hh, saved, kept = ctx.saved_tensors
        grad_gx, grad_w_hh, grad_b_hh = kernels().scan_backward(
            CELLS[ctx.model], grad.contiguous(), w_hh, saved, kept)
        need = ctx.needs_input_grad
        return (None, grad_gx if need[1] else None, grad_w_hh if need[2] else None,
                grad_b_hh if need[3] else None)


def scan_enabled(model: str, gx: Tensor, hidden: int) -> bool:
    """Whether models/cells.scan runs fused: the GRU and LSTM up to 32 units, where it
    measured faster than the plain scan on benchmarks/speed.py's stacked rows (E8's 9 and 7
    units 1.65× and 1.3×, E15's 32 units 1.7× and 1.06×); at E10's 64 units the plain
    path's batched matrix products win (the fused scan ran 0.67-0.85× as fast), and the tanh
    RNN's scan gained nothing certain (0.89× at 20 units, 1.24× at 32)."""
    return model in ("gru", "lstm") and hidden <= 32 and enabled(model, gx)


def scan(model: str, gx: Tensor, w_hh: Tensor, b_hh: Tensor) -> Tensor:
    """models/cells.scan's states as one tensor [T, P, B, H], for gx [T, P, B, G·H]."""
    states = _Scan.apply(model, gx.transpose(0, 1).contiguous(), w_hh, b_hh)
    return states


def train_epoch(model, params: Tensor, fixed: Tensor, adam, lr: Tensor, train, order: Tensor,
                batch_size: int):
    """training/trainer.train_epoch in one call: every minibatch step of every member
    (forward, mean cross-entropy, backward, the finite check and PopulationAdam's update)
    runs in population_rnn.cpp, each member on its own (members spread over torch's
    threads). The same arguments and results; params and adam's state are updated in place."""
    tokens, labels = train.tokens[order], train.labels[order]  # [p, n, T], [p, n]
    loss_sum, correct, finite = kernels().classifier_train_epoch(
        CELLS[model.model], params.detach(), fixed, model.embedding == "learned",
        model.vocab_size, model.input_dim, model.hidden_dim, model.classes, adam.exp_avg,
        adam.exp_avg_sq, adam.steps, lr.contiguous(), tokens, labels, batch_size,
        *adam.betas, adam.eps)
    n = order.shape[1]
    return loss_sum / n, correct.to(torch.float64) / n, finite
