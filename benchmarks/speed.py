"""Speed of population training and evaluation, measured against torch.nn side by side.

    python benchmarks/speed.py            # the full table (a few minutes), also as CSV
    python benchmarks/speed.py --tiny     # a seconds-long check that everything runs
    python benchmarks/speed.py --device cuda   # training and evaluation rows on a GPU

Every row runs the same work two ways in this process, interleaved (population, baseline,
population, baseline, ...), and reports both rates and their ratio; absolute times alone
mean little across machines. The classifier's training rows also give the ratio against two
baselines in parallel processes (what a user with two cores would otherwise run). The
`capacity` (E8) and `per_unit` (E10) rows time fixed-step training of stacked networks
(models/stacked.py, training/steps.py) against torch.nn models trained one by one, and the
`palindromes` rows (E15, E16, E13) the same for seed 003's palindromes at config.yaml's size.
The `char_lm` rows (E17) time one character model's training steps as E17 runs them (its
torch.nn.LSTM layers, and the recurrent-dropout variant's Python loop) against the plain
torch.nn loop (one 2-layer nn.LSTM); there the "population" column is E17's code. Each
row's floating-point work is set against a peak measured here (a large float32 matrix
product), so the distance to the hardware limit is visible.

The classifier's training rows also run, in the same interleaving, the plain PyTorch path
(models/cells.py) where the population runs fused (models/fused), and the JAX peer
(benchmarks/peer_jax.py: jit(vmap) of a lax.scan over each member's Adam steps) where jax is
installed (`pip install -e '.[bench]'`); without jax one line says so and those columns stay
empty.

With `--device cuda` (make gpu-check) the classifier's training and evaluation rows run on the
GPU: the population on the plain path (the fused kernels are CPU code) against torch.nn's
cuDNN modules one by one, each timing closed by a synchronize; the CPU-only columns (fused,
JAX peer, parallel processes) and the seed-000/003 rows are left out there.
"""
import argparse
import csv
import importlib.util
import multiprocessing
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from rnnstudy.analysis.e5_landscape import correct_counts, draw_block
from rnnstudy.analysis.e17_char_generation import CharLSTM, train_step
from rnnstudy.analysis.palindromes import palindromes
from rnnstudy.data.sentiment import Vocabulary, sentiment_dataset
from rnnstudy.data.split import Split
from rnnstudy.device import resolve_device
from rnnstudy.memory import keep_freed_memory
from rnnstudy.models import fused
from rnnstudy.models.cells import GATES
from rnnstudy.models.classifier import PopulationClassifier
from rnnstudy.models.shapes import Shape, largest_hidden
from rnnstudy.models.stacked import PopulationRNN
from rnnstudy.training.adam import PopulationAdam
from rnnstudy.training.steps import train_steps
from rnnstudy.training.trainer import epoch_order, train_epoch

TORCH_CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
DEVICE = torch.device("cpu")  # where the training and evaluation rows run (--device)


def first_task(train: int, validation: int) -> dict[str, Split]:
    data = sentiment_dataset("first", 10, {"train": train, "validation": validation, "test": 1},
                             Vocabulary(), 0)
    return {name: Split.from_numpy(s.tokens, s.labels, DEVICE) for name, s in data.items()}


def peak_gflops(threads: int, size: int = 2048, repeats: int = 5) -> float:
    """float32 matrix-product rate: the machine's practical ceiling."""
    torch.set_num_threads(threads)
    a, b = torch.randn(size, size, device=DEVICE), torch.randn(size, size, device=DEVICE)
    a @ b
    best = min(_seconds(lambda: a @ b) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


def _seconds(work) -> float:
    """Wall seconds of `work`, on a GPU until its queued kernels have finished."""
    if DEVICE.type == "cuda":
        torch.cuda.synchronize(DEVICE)
    started = time.perf_counter()
    work()
    if DEVICE.type == "cuda":
        torch.cuda.synchronize(DEVICE)
    return time.perf_counter() - started


# -- training -------------------------------------------------------------------------------

def train_flops(model: str, input_dim: int, hidden: int, batch: int, steps: int) -> float:
    """Matrix-product FLOPs of one model-step: forward 2·(I+H)·G per word, backward twice
    that, over batch × length words (elementwise work and Adam left out: a floor)."""
    gates = GATES[model] * hidden
    return 3 * 2 * (input_dim + hidden) * gates * batch * steps


def training_order(members: int, steps: int, data, batch: int = 64) -> Tensor:
    """Each member's sequences for `steps` minibatches [P, steps · batch]: its first epoch's."""
    return torch.stack([epoch_order(m, 1, len(data["train"]))[:steps * batch]
                        for m in range(members)])


def population_training(model: str, members: int, steps: int, data, batch: int = 64,
                        plain: bool = False):
    """`steps` minibatch steps of `members` models trained as one population, on the
    plain PyTorch path if `plain`, else on the fused path where it runs (models/fused)."""
    net = PopulationClassifier(model, 10, 4, 8)
    params, fixed = (t.to(DEVICE) for t in net.init_population(list(range(members))))
    adam = PopulationAdam.zeros_like(params)
    lr = torch.full((members,), 1e-3, dtype=torch.float64, device=DEVICE)
    order = training_order(members, steps, data, batch).to(DEVICE)

    def run():
        with fused.use("plain" if plain else "fused"):
            train_epoch(net, params, fixed, adam, lr, data["train"], order, batch)
    return run


def load_peer():
    """benchmarks/peer_jax.py, or None (saying so) where jax is not installed."""
    if importlib.util.find_spec("jax") is None:
        print("jax is not installed (the bench extra: pip install -e '.[bench]'): "
              "no JAX peer columns")
        return None
    spec = importlib.util.spec_from_file_location("peer_jax",
                                                  Path(__file__).with_name("peer_jax.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peer_training(peer, model: str, members: int, steps: int, data, batch: int = 64):
    """The JAX peer on the same members: the same initial weights and minibatches as
    `population_training`, compiled before it is timed (its `compile_seconds`)."""
    net = PopulationClassifier(model, 10, 4, 8)
    params, fixed = net.init_population(list(range(members)))
    w = {name: view.numpy() for name, view in net.unflatten(params, fixed).items()}
    order = training_order(members, steps, data, batch)
    tokens = data["train"].tokens[order].view(members, steps, batch, -1)
    labels = data["train"].labels[order].view(members, steps, batch)
    return peer.PeerTraining(model, w, tokens.numpy(), labels.numpy())


def torch_nn_training(model: str, members: int, steps: int, data, batch: int = 64):
    """The same work one model after another: nn.Embedding + nn.RNN/GRU/LSTM + nn.Linear +
    torch.optim.Adam, each model its own minibatches."""
    tokens, labels = data["train"].tokens, data["train"].labels

    def run():
        for m in range(members):
            torch.manual_seed(m)
            embed, head = nn.Embedding(10, 4).to(DEVICE), nn.Linear(8, 2).to(DEVICE)
            cell = TORCH_CELLS[model](4, 8, batch_first=True).to(DEVICE)
            optimizer = torch.optim.Adam(
                [*embed.parameters(), *cell.parameters(), *head.parameters()], lr=1e-3)
            order = epoch_order(m, 1, len(labels)).to(DEVICE)
            for s in range(steps):
                index = order[s * batch:(s + 1) * batch]
                output, _ = cell(embed(tokens[index]))
                loss = nn.functional.cross_entropy(head(output[:, -1]), labels[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    return run


def _baseline_process(model, members, steps, barrier, queue):
    torch.set_num_threads(1)
    work = torch_nn_training(model, members, steps, first_task(4000, 10))
    torch_nn_training(model, 1, 2, first_task(4000, 10))()  # warm-up, as in-process rows
    barrier.wait()  # both processes start their timed work together
    queue.put(_seconds(work))


def parallel_baselines(model: str, members: int, steps: int, processes: int = 2) -> float:
    """Seconds for `processes` baseline processes (1 thread each) sharing the members: the
    slower one's time, start-up excluded."""
    context = multiprocessing.get_context("spawn")
    queue, barrier = context.Queue(), context.Barrier(processes)
    share = [members // processes + (i < members % processes) for i in range(processes)]
    workers = [context.Process(target=_baseline_process, args=(model, n, steps, barrier, queue))
               for n in share]
    for w in workers:
        w.start()
    seconds = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return max(seconds)


# -- fixed-step training of stacked networks (E8, E10) ------------------------------------------

@dataclass(frozen=True)
class StepsWork:
    """One fixed-step workload: `members` 1-layer networks, each on its own minibatches of
    `batch` sequences whose input comes at the first of `unroll` steps (zeros after)."""
    work: str
    cell: str
    input_dim: int
    hidden: int
    outputs: int
    unroll: int
    batch: int
    members: int
    loss: str  # "bce" (one logit, binary labels), "mse" (reconstruct the input) or "ce"
    # (a palindrome's last digit of 10)


def capacity_work(cell: str, members: int = 24, budget: int = 768) -> StepsWork:
    """E8: 16 binary inputs at step 1 of 5, one logit with cross-entropy, batch 128, the
    largest hidden size within the parameter budget."""
    return StepsWork("capacity", cell, 16, largest_hidden(cell, 16, 1, 1, budget), 1, 5, 128,
                     members, "bce")


def per_unit_work(cell: str, members: int = 6) -> StepsWork:
    """E10: a 64-dim Gaussian input at step 1 of 4, reconstructed by a 64-output linear
    readout of 64 units (squared error), batch 64."""
    return StepsWork("per_unit", cell, 64, 64, 64, 4, 64, members, "mse")


def palindrome_work(cell: str, members: int = 5, length: int = 10) -> StepsWork:
    """E15: the first T − 1 digits of palindromes of length T (the pivot, 10), each digit as
    one number, 32 units, a 10-way readout, batch 128; the members are its replicates."""
    return StepsWork("palindromes", cell, 1, 32, 10, length - 1, 128, members, "ce")


def steps_batches(work: StepsWork, steps: int, seed: int = 0):
    """Every member's minibatches of every step, drawn before anything is timed:
    x [steps, T, P, B, n_in], targets [steps, P, B, K]."""
    g = torch.Generator().manual_seed(seed)
    shape = (steps, work.members, work.batch, work.input_dim)
    if work.loss == "ce":
        x, target = palindromes(g, work.unroll + 1, steps * work.members * work.batch, "scalar")
        x = x.view(work.unroll, *shape).transpose(0, 1).contiguous()
        return x, target.view(*shape[:-1])
    if work.loss == "bce":
        first = torch.randint(0, 2, shape, generator=g).float()
        target = torch.randint(0, 2, (*shape[:-1], 1), generator=g).float()
    else:
        first = torch.randn(shape, generator=g)
        target = first
    x = first.new_zeros(steps, work.unroll, *shape[1:])
    x[:, 0] = first
    return x, target


def _steps_loss(work: StepsWork):
    if work.loss == "ce":
        return lambda out, y: nn.functional.cross_entropy(out.transpose(1, 2), y,
                                                          reduction="none").mean(1)
    if work.loss == "bce":
        return lambda out, y: nn.functional.binary_cross_entropy_with_logits(
            out, y, reduction="none").mean((1, 2))
    return lambda out, y: (out - y).pow(2).mean((1, 2))


def population_steps(work: StepsWork, steps: int, data):
    """`steps` Adam steps of the whole population through training/steps.train_steps."""
    model = PopulationRNN(Shape(work.cell, work.input_dim, work.hidden, 1, work.outputs))
    params = torch.stack([model.draw(torch.Generator().manual_seed(m), 1.0, 1.0)
                          for m in range(work.members)])
    lr = torch.full((work.members,), 1e-3, dtype=torch.float64)
    x, y = data
    loss = _steps_loss(work)
    return lambda: train_steps(model, params, lr, steps, lambda s: (x[s - 1], y[s - 1]), loss,
                               record_every=steps)


def torch_nn_steps(work: StepsWork, steps: int, data):
    """The same work one model after another: nn.RNN/GRU/LSTM + nn.Linear +
    torch.optim.Adam on the same batches (laid out per member, contiguous, beforehand)."""
    x, y = data
    x = x.permute(2, 0, 1, 3, 4).contiguous()  # [P, steps, T, B, n_in]
    y = y.transpose(0, 1).contiguous()  # [P, steps, B, K]
    loss = {"bce": nn.functional.binary_cross_entropy_with_logits,
            "mse": nn.functional.mse_loss, "ce": nn.functional.cross_entropy}[work.loss]

    def run():
        for m in range(work.members):
            torch.manual_seed(m)
            cell = TORCH_CELLS[work.cell](work.input_dim, work.hidden)
            head = nn.Linear(work.hidden, work.outputs)
            optimizer = torch.optim.Adam([*cell.parameters(), *head.parameters()], lr=1e-3)
            for s in range(steps):
                output, _ = cell(x[m, s])
                value = loss(head(output[-1]), y[m, s])
                optimizer.zero_grad()
                value.backward()
                optimizer.step()
    return run


def steps_flops(work: StepsWork) -> float:
    """Matrix-product FLOPs of one model-step, as train_flops, plus the readout's."""
    return (train_flops(work.cell, work.input_dim, work.hidden, work.batch, work.unroll)
            + 3 * 2 * work.hidden * work.outputs * work.batch)


def steps_rows(tiny: bool, cores: int, peak: dict) -> list[dict]:
    """The E8 (capacity), E10 (per_unit) and E15 (palindromes) rows: each side at its own
    best thread count, then interleaved."""
    steps = 2 if tiny else 25
    rows = []
    for work in [capacity_work(c) for c in ("rnn", "gru", "lstm")] + [
            per_unit_work(c) for c in ("rnn", "gru", "lstm")] + [
            palindrome_work(c) for c in ("rnn", "gru", "lstm")]:
        data = steps_batches(work, steps)
        candidates = sorted({1, cores})
        threads, _ = best_threads(lambda: torch_nn_steps(work, steps, data), candidates)
        own, _ = best_threads(lambda: population_steps(work, steps, data), candidates)
        pop_s, base_s = interleaved((population_steps(work, steps, data), own),
                                    (torch_nn_steps(work, steps, data), threads),
                                    repeats=1 if tiny else 3)
        done = work.members * steps
        gflops = steps_flops(work) * done / pop_s / 1e9
        rows.append(_row(work.work, work.cell, f"H={work.hidden} P={work.members}",
                         "model-steps/s", done / pop_s, done / base_s, threads, None, gflops,
                         peak[own], own))
        print(_line(rows[-1]), flush=True)
    return rows


# -- one character model (E17) ---------------------------------------------------------------

@dataclass(frozen=True)
class CharWork:
    """E17's training step: one `layers`-layer LSTM of `hidden` units on windows of `length`
    one-hot characters over `alphabet`, `batch` windows per step, Adam and norm clipping."""
    variant: str = "none"  # none: torch.nn.LSTM layers; recurrent: the Python-stepped loop
    alphabet: int = 32
    hidden: int = 128
    layers: int = 2
    length: int = 30
    batch: int = 64


def char_windows(work: CharWork, steps: int, seed: int = 0):
    """Every step's windows [steps, T + 1, B], drawn before anything is timed."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, work.alphabet, (steps, work.length + 1, work.batch), generator=g)


def e17_char_steps(work: CharWork, data):
    """E17's own training steps (analysis/e17_char_generation.train_step), dropout 0.25."""
    model = CharLSTM(work.alphabet, work.hidden, work.layers, work.variant,
                     0.25 if work.variant != "none" else 0.0)
    model.init_weights(torch.Generator().manual_seed(0))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    def run():
        masks = torch.Generator().manual_seed(1) if work.variant != "none" else None
        for text in data:
            train_step(model, optimizer, text, masks, 5.0)
    return run


def torch_nn_char_steps(work: CharWork, data):
    """The plain torch.nn loop: one-hot into one nn.LSTM(num_layers=layers), nn.Linear,
    cross-entropy, clip_grad_norm_, torch.optim.Adam."""
    torch.manual_seed(0)
    lstm = nn.LSTM(work.alphabet, work.hidden, work.layers)
    head = nn.Linear(work.hidden, work.alphabet)
    parameters = [*lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=2e-3)

    def run():
        for text in data:
            output, _ = lstm(nn.functional.one_hot(text[:-1], work.alphabet).float())
            loss = nn.functional.cross_entropy(head(output).flatten(0, 1), text[1:].flatten())
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(parameters, 5.0)
            optimizer.step()
    return run


def char_flops(work: CharWork) -> float:
    """Matrix-product FLOPs of one training step (forward, and backward twice that): the
    gates of every layer and the readout, for every character of every window."""
    gates = GATES["lstm"] * work.hidden
    per_char = sum(2 * ((work.alphabet if layer == 0 else work.hidden) + work.hidden) * gates
                   for layer in range(work.layers)) + 2 * work.hidden * work.alphabet
    return 3 * per_char * work.batch * work.length


def char_rows(tiny: bool, cores: int, peak: dict) -> list[dict]:
    """E17's rows at seed 003's size: the no-dropout model and the recurrent-dropout
    variant, each against the plain torch.nn loop; each side at its own best thread count."""
    steps = 1 if tiny else 20
    rows = []
    for work in (CharWork("none"), CharWork("recurrent")):
        data = char_windows(work, steps)
        candidates = sorted({1, cores})
        threads, _ = best_threads(lambda: torch_nn_char_steps(work, data), candidates)
        own, _ = best_threads(lambda: e17_char_steps(work, data), candidates)
        own_s, base_s = interleaved((e17_char_steps(work, data), own),
                                    (torch_nn_char_steps(work, data), threads),
                                    repeats=1 if tiny else 3)
        model = "lstm" if work.variant == "none" else "lstm_recurrent_dropout"
        characters = steps * work.batch * work.length
        rows.append(_row("char_lm", model,
                         f"H={work.hidden} L={work.layers} T={work.length} B={work.batch}",
                         "characters/s", characters / own_s, characters / base_s, threads,
                         None, char_flops(work) * steps / own_s / 1e9, peak[own], own))
        print(_line(rows[-1]), flush=True)
    return rows


# -- evaluation (E5) --------------------------------------------------------------------------

def population_evaluation(model: str, input_dim: int, hidden: int, settings: int, data):
    net = PopulationClassifier(model, 10, input_dim, hidden)
    params, fixed = draw_block(net, 1, 0, torch.float32)
    params, fixed = params[:settings].to(DEVICE), fixed[:settings].to(DEVICE)
    return lambda: correct_counts(net, params, fixed, data["validation"])


def torch_nn_evaluation(model: str, input_dim: int, hidden: int, settings: int, data):
    """The same settings loaded one by one into nn.Embedding/RNN/GRU/LSTM/Linear, each
    evaluated on the whole split in one batch."""
    net = PopulationClassifier(model, 10, input_dim, hidden)
    params, fixed = draw_block(net, 1, 0, torch.float32)
    w = net.unflatten(params[:settings], fixed[:settings])
    tokens, labels = data["validation"].tokens, data["validation"].labels
    w = {name: view.to(DEVICE) for name, view in w.items()}
    embed, head = nn.Embedding(10, input_dim).to(DEVICE), nn.Linear(hidden, 2).to(DEVICE)
    cell = TORCH_CELLS[model](input_dim, hidden, batch_first=True).to(DEVICE)

    @torch.no_grad()
    def run():
        counts = []
        for s in range(settings):
            embed.weight.copy_(w["embedding"][s])
            cell.weight_ih_l0.copy_(w["w_ih"][s].t())
            cell.weight_hh_l0.copy_(w["w_hh"][s].t())
            cell.bias_ih_l0.copy_(w["b_ih"][s, 0])
            cell.bias_hh_l0.copy_(w["b_hh"][s, 0])
            head.weight.copy_(w["w_out"][s].t())
            head.bias.copy_(w["b_out"][s, 0])
            output, _ = cell(embed(tokens))
            counts.append(int((head(output[:, -1]).argmax(-1) == labels).sum()))
        return counts
    return run


def eval_flops(model: str, input_dim: int, hidden: int, sequences: int, length: int) -> float:
    """Forward matrix-product FLOPs per setting (a floor, as for training)."""
    return 2 * (input_dim + hidden) * GATES[model] * hidden * sequences * length


# -- the table ------------------------------------------------------------------------------

def interleaved(*works, repeats: int) -> list[float]:
    """Median seconds of workloads given as (work, threads) pairs, run in turn (a, b, c, a,
    b, c, ...), each at its own torch thread count (None: the JAX peer, on JAX's own)."""
    def at(threads, work):
        if threads is not None:
            torch.set_num_threads(threads)
        return _seconds(work)
    for work, threads in works:
        at(threads, work)  # warm-up
    times = [[] for _ in works]
    for _ in range(repeats):
        for (work, threads), seconds in zip(works, times):
            seconds.append(at(threads, work))
    return [statistics.median(seconds) for seconds in times]


def best_threads(work_for_threads, candidates, rounds: int = 3) -> tuple[int, float]:
    """The thread count at which a workload runs fastest, and its time: the candidates
    alternate for a few rounds and each keeps its best time, so that a moment of noise
    does not decide."""
    works = {}
    for threads in candidates:
        torch.set_num_threads(threads)
        works[threads] = work_for_threads()
        works[threads]()  # warm-up
    timings = {threads: float("inf") for threads in candidates}
    for _ in range(rounds):
        for threads in candidates:
            torch.set_num_threads(threads)
            timings[threads] = min(timings[threads], _seconds(works[threads]))
    best = min(timings, key=timings.get)
    return best, timings[best]


def training_rows(tiny: bool, cores: int, peak: dict, data,
                  sizes=(3, 8, 32, 128)) -> list[dict]:
    """The classifier's training rows: population (fused where it can), torch.nn one by
    one, the plain path (where the population ran fused) and the JAX peer, interleaved."""
    sizes = [3] if tiny else sizes
    steps = 2 if tiny else 20
    on_cpu = DEVICE.type == "cpu"
    peer = load_peer() if on_cpu else None
    rows = []
    for model in ("gru", "rnn", "lstm"):
        threads, _ = best_threads(
            lambda: torch_nn_training(model, 4, steps, data), sorted({1, cores}))
        for members in sizes:
            # Each side at its own best thread count, as a user would run it.
            own, _ = best_threads(
                lambda: population_training(model, members, steps, data), sorted({1, cores}))
            works = [(population_training(model, members, steps, data), own),
                     (torch_nn_training(model, members, steps, data), threads)]
            with fused.use("fused"):
                path = "fused" if fused.enabled(model, torch.zeros((), device=DEVICE)) \
                    else "plain"
            if path == "fused":
                plain_threads, _ = best_threads(
                    lambda: population_training(model, members, steps, data, plain=True),
                    sorted({1, cores}))
                works.append((population_training(model, members, steps, data, plain=True),
                              plain_threads))
            if peer:
                peer_work = peer_training(peer, model, members, steps, data)
                works.append((peer_work, None))
            seconds = interleaved(*works, repeats=1 if tiny else 3)
            pop_s, base_s = seconds[:2]
            parallel_s = None if tiny or not on_cpu else parallel_baselines(model, members,
                                                                             steps)
            work = members * steps
            flops = train_flops(model, 4, 8, 64, 10) * work
            rows.append(_row("train", model, f"P={members}", "model-steps/s", work / pop_s,
                             work / base_s, threads, parallel_s and work / parallel_s,
                             flops / pop_s / 1e9, peak[own], own, path=path,
                             plain=work / seconds[2] if path == "fused" else None,
                             peer=work / seconds[-1] if peer else None,
                             peer_compile=peer_work.compile_seconds if peer else None))
            print(_line(rows[-1]), flush=True)
    return rows


def run(tiny: bool, out: Path) -> list[dict]:
    cores = 1 if tiny else torch.get_num_threads()
    peak = {t: peak_gflops(t) for t in sorted({1, cores})}
    print("peak float32 matmul: " + ", ".join(f"{g:.0f} GFLOP/s on {t} thread(s)"
                                                 for t, g in peak.items()))
    data = first_task(4000, 2000)
    rows = training_rows(tiny, cores, peak, data)
    settings = 32 if tiny else 1024
    for model, i, h in [("gru", 4, 4), ("gru", 2, 2), ("rnn", 4, 4), ("rnn", 2, 2), ("lstm", 4, 4)]:
        loop = max(8, settings // 16)  # torch.nn is slower: fewer settings, same rate
        threads, _ = best_threads(
            lambda: torch_nn_evaluation(model, i, h, loop, data), sorted({1, cores}))
        own, _ = best_threads(
            lambda: population_evaluation(model, i, h, settings, data), sorted({1, cores}))
        pop_s, base_s = interleaved((population_evaluation(model, i, h, settings, data), own),
                                    (torch_nn_evaluation(model, i, h, loop, data), threads),
                                    repeats=1 if tiny else 3)
        flops = eval_flops(model, i, h, 2000, 10) * settings
        rows.append(_row("evaluate", model, f"{i}x{h}", "settings/s", settings / pop_s,
                         loop / base_s, threads, None, flops / pop_s / 1e9, peak[own], own))
        print(_line(rows[-1]), flush=True)
    if DEVICE.type == "cpu":
        rows += steps_rows(tiny, cores, peak)
        rows += char_rows(tiny, cores, peak)
    else:
        print(f"on {DEVICE}: the classifier's training and evaluation rows only")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"written to {out}")
    return rows


def _row(kind, model, size, unit, population, baseline, threads, parallel, gflops, peak,
         population_threads, path=None, plain=None, peer=None, peer_compile=None):
    """One table row; `path` is the population's (fused or plain) where it has both, `plain`
    the plain path's rate beside the fused one, `peer` the JAX peer's rate."""
    def rate(value):
        return None if value is None else round(value, 1)

    def ratio(other):
        return None if other is None else round(population / other, 2)
    return {"work": kind, "model": model, "size": size, "unit": unit,
            "population": round(population, 1), "population_threads": population_threads,
            "torch_nn": round(baseline, 1),
            "ratio": round(population / baseline, 2), "torch_nn_threads": threads,
            "torch_nn_2_processes": rate(parallel), "ratio_vs_2_processes": ratio(parallel),
            "gflops": round(gflops, 2), "percent_of_peak": round(100 * gflops / peak, 2),
            "path": path, "plain": rate(plain), "ratio_vs_plain": ratio(plain),
            "jax_peer": rate(peer), "ratio_vs_jax_peer": ratio(peer),
            "jax_compile_s": None if peer_compile is None else round(peer_compile, 2)}


def _line(row) -> str:
    parallel = ("" if row["torch_nn_2_processes"] is None else
                f"  | 2 torch.nn processes {row['torch_nn_2_processes']:>9,.0f}"
                f"  ratio {row['ratio_vs_2_processes']:5.1f}x")
    path = "" if row["path"] is None else f" {row['path']}"
    plain = ("" if row["plain"] is None else
             f"  | plain path {row['plain']:>9,.0f}  ratio {row['ratio_vs_plain']:5.2f}x")
    peer = ("" if row["jax_peer"] is None else
            f"  | JAX peer {row['jax_peer']:>9,.0f}  ratio {row['ratio_vs_jax_peer']:5.2f}x "
            f"(compiled in {row['jax_compile_s']:.1f} s)")
    return (f"{row['work']:8s} {row['model']:4s} {row['size']:6s} population{path} "
            f"({row['population_threads']} thr) {row['population']:>9,.0f} {row['unit']:13s} "
            f"torch.nn ({row['torch_nn_threads']} thr) {row['torch_nn']:>8,.0f}  ratio "
            f"{row['ratio']:5.1f}x{parallel}{plain}{peer}  | {row['gflops']:.2f} GFLOP/s = "
            f"{row['percent_of_peak']:.1f}% of the peak at that thread count")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="a seconds-long smoke run")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/speed.csv"))
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:N]")
    args = parser.parse_args(argv)
    global DEVICE
    DEVICE = resolve_device(args.device)
    keep_freed_memory()  # as every pipeline job does (both sides of each row get it)
    run(args.tiny, args.out)


if __name__ == "__main__":
    main()
