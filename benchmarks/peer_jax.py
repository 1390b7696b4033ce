"""The peer: population training of the sentiment classifier as a JAX user would write it.

One member's training is a `lax.scan` over its minibatch steps of a value-and-grad of the
classifier's loss and an Adam update; `jax.vmap` over members gives the population and
`jax.jit` compiles it (once per model and population size). The classifier is the
project's (models/classifier.py): word embedding, torch.nn's RNN (tanh), GRU or LSTM cell
with the biases b_ih and b_hh, a linear readout of the last state, mean cross-entropy, and
Adam with torch.optim's defaults. Used by benchmarks/speed.py when jax is installed (the
optional `bench` extra); float32, on JAX's CPU device.
"""
import time

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def cell_step(model: str, w_hh, b_hh, state, gx_t):
    """One step of torch.nn's cell: gx_t = W_ih·x_t + b_ih [B, G·H]; state h (or (h, c))."""
    if model == "lstm":
        h, c = state
        i, f, g, o = jnp.split(gx_t + h @ w_hh + b_hh, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h
    h = state
    if model == "rnn":
        h = jnp.tanh(gx_t + h @ w_hh + b_hh)
        return h, h
    x_r, x_z, x_n = jnp.split(gx_t, 3, axis=-1)
    h_r, h_z, h_n = jnp.split(h @ w_hh + b_hh, 3, axis=-1)
    r = jax.nn.sigmoid(x_r + h_r)
    z = jax.nn.sigmoid(x_z + h_z)
    n = jnp.tanh(x_n + r * h_n)
    h = (1 - z) * n + z * h
    return h, h


def loss_of(model: str, w: dict, tokens, labels):
    """Mean cross-entropy of one member on tokens [B, T], labels [B]."""
    gx = w["embedding"][tokens.T] @ w["w_ih"] + w["b_ih"]  # [T, B, G·H]
    h0 = jnp.zeros((tokens.shape[0], w["w_hh"].shape[0]), gx.dtype)
    state = (h0, h0) if model == "lstm" else h0
    state, _ = lax.scan(lambda s, x: cell_step(model, w["w_hh"], w["b_hh"], s, x), state, gx)
    h = state[0] if model == "lstm" else state
    logits = h @ w["w_out"] + w["b_out"]
    log_p = jax.nn.log_softmax(logits)
    return -jnp.take_along_axis(log_p, labels[:, None], axis=1).mean()


def train_member(model: str, lr: float, w: dict, tokens, labels):
    """Adam (torch.optim's defaults) over one member's minibatches tokens [S, B, T],
    labels [S, B]: the weights after the S steps and the loss of each step."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    grad_fn = jax.value_and_grad(lambda w, x, y: loss_of(model, w, x, y))

    def step(carry, batch):
        w, m, v, t = carry
        loss, g = grad_fn(w, *batch)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: beta2 * v + (1 - beta2) * g * g, v, g)
        w = jax.tree_util.tree_map(
            lambda w, m, v: w - lr * (m / (1 - beta1 ** t)) / (jnp.sqrt(v / (1 - beta2 ** t))
                                                               + eps), w, m, v)
        return (w, m, v, t), loss

    zeros = jax.tree_util.tree_map(jnp.zeros_like, w)
    (w, _, _, _), losses = lax.scan(step, (w, zeros, zeros, jnp.float32(0)), (tokens, labels))
    return w, losses


def population_trainer(model: str, lr: float = 1e-3):
    """jit(vmap(train_member)): weights {name: [P, ...]}, tokens [P, S, B, T], labels
    [P, S, B] → (weights, losses [P, S])."""
    return jax.jit(jax.vmap(lambda w, x, y: train_member(model, lr, w, x, y)))


class PeerTraining:
    """`steps` minibatch steps of P members from the weights `w` (numpy [P, ...] float32, the
    population's own layout: w_ih [I, G·H], biases [1, G·H], ...) on their own batches
    tokens [P, S, B, T] and labels [P, S, B]; compiled when made (`compile_seconds`).
    Calling it trains from the same starting weights again and waits for the result."""

    def __init__(self, model: str, w: dict, tokens, labels):
        device = jax.devices("cpu")[0]
        self.w = {k: jax.device_put(np.asarray(v, np.float32), device) for k, v in w.items()}
        self.tokens = jax.device_put(np.asarray(tokens, np.int32), device)
        self.labels = jax.device_put(np.asarray(labels, np.int32), device)
        started = time.perf_counter()
        self.compiled = population_trainer(model).lower(self.w, self.tokens,
                                                        self.labels).compile()
        self.compile_seconds = time.perf_counter() - started

    def __call__(self):
        w, losses = self.compiled(self.w, self.tokens, self.labels)
        return jax.block_until_ready((w, losses))
