"""Speed of population training and evaluation, measured against torch.nn side by side.

    python benchmarks/speed.py            # the full table (a few minutes), also as CSV
    python benchmarks/speed.py --tiny     # a seconds-long check that everything runs

Every row runs the same work two ways in this process, interleaved (population, baseline,
population, baseline, ...), and reports both rates and their ratio; absolute times alone
mean little across machines. Training rows also give the ratio against two baselines in
parallel processes (what a user with two cores would otherwise run). Each row's floating-
point work is set against a peak measured here (a large float32 matrix product), so the
distance to the hardware limit is visible.
"""
import argparse
import csv
import multiprocessing
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from rnnstudy.analysis.e5_landscape import correct_counts, draw_block
from rnnstudy.data.sentiment import Vocabulary, sentiment_dataset
from rnnstudy.data.split import Split
from rnnstudy.memory import keep_freed_memory
from rnnstudy.models.cells import GATES
from rnnstudy.models.classifier import PopulationClassifier
from rnnstudy.training.adam import PopulationAdam
from rnnstudy.training.trainer import epoch_order, train_epoch

TORCH_CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def first_task(train: int, validation: int) -> dict[str, Split]:
    data = sentiment_dataset("first", 10, {"train": train, "validation": validation, "test": 1},
                             Vocabulary(), 0)
    return {name: Split.from_numpy(s.tokens, s.labels, "cpu") for name, s in data.items()}


def peak_gflops(threads: int, size: int = 2048, repeats: int = 5) -> float:
    """float32 matrix-product rate: the machine's practical ceiling."""
    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best = min(_seconds(lambda: a @ b) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# -- training -------------------------------------------------------------------------------

def train_flops(model: str, input_dim: int, hidden: int, batch: int, steps: int) -> float:
    """Matrix-product FLOPs of one model-step: forward 2·(I+H)·G per word, backward twice
    that, over batch × length words (elementwise work and Adam left out: a floor)."""
    gates = GATES[model] * hidden
    return 3 * 2 * (input_dim + hidden) * gates * batch * steps


def population_training(model: str, members: int, steps: int, data, batch: int = 64):
    """`steps` minibatch steps of `members` models trained as one population."""
    net = PopulationClassifier(model, 10, 4, 8)
    params, fixed = net.init_population(list(range(members)))
    adam = PopulationAdam.zeros_like(params)
    lr = torch.full((members,), 1e-3, dtype=torch.float64)
    order = torch.stack([epoch_order(m, 1, len(data["train"]))[:steps * batch]
                         for m in range(members)])
    return lambda: train_epoch(net, params, fixed, adam, lr, data["train"], order, batch)


def torch_nn_training(model: str, members: int, steps: int, data, batch: int = 64):
    """The same work one model after another: nn.Embedding + nn.RNN/GRU/LSTM + nn.Linear +
    torch.optim.Adam, each model its own minibatches."""
    tokens, labels = data["train"].tokens, data["train"].labels

    def run():
        for m in range(members):
            torch.manual_seed(m)
            embed, head = nn.Embedding(10, 4), nn.Linear(8, 2)
            cell = TORCH_CELLS[model](4, 8, batch_first=True)
            optimizer = torch.optim.Adam(
                [*embed.parameters(), *cell.parameters(), *head.parameters()], lr=1e-3)
            order = epoch_order(m, 1, len(labels))
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


# -- evaluation (E5) --------------------------------------------------------------------------

def population_evaluation(model: str, input_dim: int, hidden: int, settings: int, data):
    net = PopulationClassifier(model, 10, input_dim, hidden)
    params, fixed = draw_block(net, 1, 0, torch.float32)
    params, fixed = params[:settings], fixed[:settings]
    return lambda: correct_counts(net, params, fixed, data["validation"])


def torch_nn_evaluation(model: str, input_dim: int, hidden: int, settings: int, data):
    """The same settings loaded one by one into nn.Embedding/RNN/GRU/LSTM/Linear, each
    evaluated on the whole split in one batch."""
    net = PopulationClassifier(model, 10, input_dim, hidden)
    params, fixed = draw_block(net, 1, 0, torch.float32)
    w = net.unflatten(params[:settings], fixed[:settings])
    tokens, labels = data["validation"].tokens, data["validation"].labels
    embed, head = nn.Embedding(10, input_dim), nn.Linear(hidden, 2)
    cell = TORCH_CELLS[model](input_dim, hidden, batch_first=True)

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

def interleaved(first, first_threads: int, second, second_threads: int,
                repeats: int) -> tuple[float, float]:
    """Median seconds of two workloads, run alternately, each at its own thread count."""
    def at(threads, work):
        torch.set_num_threads(threads)
        return _seconds(work)
    at(first_threads, first), at(second_threads, second)  # warm-up
    a, b = [], []
    for _ in range(repeats):
        a.append(at(first_threads, first))
        b.append(at(second_threads, second))
    return statistics.median(a), statistics.median(b)


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


def run(tiny: bool, out: Path) -> list[dict]:
    cores = 1 if tiny else torch.get_num_threads()
    peak = {t: peak_gflops(t) for t in sorted({1, cores})}
    print("peak float32 matmul: " + ", ".join(f"{g:.0f} GFLOP/s on {t} thread(s)"
                                                 for t, g in peak.items()))
    data = first_task(4000, 2000)
    sizes = [8] if tiny else [8, 32, 128]
    steps = 2 if tiny else 20
    rows = []
    for model in ("gru", "rnn", "lstm"):
        threads, _ = best_threads(
            lambda: torch_nn_training(model, 4, steps, data), sorted({1, cores}))
        for members in sizes:
            # Each side at its own best thread count, as a user would run it.
            own, _ = best_threads(
                lambda: population_training(model, members, steps, data), sorted({1, cores}))
            pop_s, base_s = interleaved(population_training(model, members, steps, data), own,
                                        torch_nn_training(model, members, steps, data), threads,
                                        repeats=1 if tiny else 3)
            parallel_s = None if tiny else parallel_baselines(model, members, steps)
            work = members * steps
            flops = train_flops(model, 4, 8, 64, 10) * work
            rows.append(_row("train", model, f"P={members}", "model-steps/s", work / pop_s,
                             work / base_s, threads, parallel_s and work / parallel_s,
                             flops / pop_s / 1e9, peak[own], own))
            print(_line(rows[-1]), flush=True)
    settings = 32 if tiny else 1024
    for model, i, h in [("gru", 4, 4), ("gru", 2, 2), ("rnn", 4, 4), ("rnn", 2, 2), ("lstm", 4, 4)]:
        loop = max(8, settings // 16)  # torch.nn is slower: fewer settings, same rate
        threads, _ = best_threads(
            lambda: torch_nn_evaluation(model, i, h, loop, data), sorted({1, cores}))
        own, _ = best_threads(
            lambda: population_evaluation(model, i, h, settings, data), sorted({1, cores}))
        pop_s, base_s = interleaved(population_evaluation(model, i, h, settings, data), own,
                                    torch_nn_evaluation(model, i, h, loop, data), threads,
                                    repeats=1 if tiny else 3)
        flops = eval_flops(model, i, h, 2000, 10) * settings
        rows.append(_row("evaluate", model, f"{i}x{h}", "settings/s", settings / pop_s,
                         loop / base_s, threads, None, flops / pop_s / 1e9, peak[own], own))
        print(_line(rows[-1]), flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"written to {out}")
    return rows


def _row(kind, model, size, unit, population, baseline, threads, parallel, gflops, peak,
         population_threads):
    return {"work": kind, "model": model, "size": size, "unit": unit,
            "population": round(population, 1), "population_threads": population_threads,
            "torch_nn": round(baseline, 1),
            "ratio": round(population / baseline, 2), "torch_nn_threads": threads,
            "torch_nn_2_processes": None if parallel is None else round(parallel, 1),
            "ratio_vs_2_processes": None if parallel is None else round(population / parallel, 2),
            "gflops": round(gflops, 2), "percent_of_peak": round(100 * gflops / peak, 2)}


def _line(row) -> str:
    parallel = ("" if row["torch_nn_2_processes"] is None else
                f"  | 2 torch.nn processes {row['torch_nn_2_processes']:>9,.0f}"
                f"  ratio {row['ratio_vs_2_processes']:5.1f}x")
    return (f"{row['work']:8s} {row['model']:4s} {row['size']:6s} population "
            f"({row['population_threads']} thr) {row['population']:>9,.0f} {row['unit']:13s} "
            f"torch.nn ({row['torch_nn_threads']} thr) {row['torch_nn']:>8,.0f}  ratio "
            f"{row['ratio']:5.1f}x{parallel}  | {row['gflops']:.2f} GFLOP/s = "
            f"{row['percent_of_peak']:.1f}% of the peak at that thread count")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="a seconds-long smoke run")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/speed.csv"))
    args = parser.parse_args(argv)
    keep_freed_memory()  # as every pipeline job does (both sides of each row get it)
    run(args.tiny, args.out)


if __name__ == "__main__":
    main()
