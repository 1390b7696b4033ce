"""The fused path (models/fused: hand-written forward and backward passes of whole
sequences) against the plain path and torch.nn, member independence, its cache and its
fallback; and, on a GPU, the model against torch.nn there."""
import logging
import subprocess
import sys

import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from rnnstudy.data.split import Split
from rnnstudy.models import fused
from rnnstudy.models.cells import GATES, MODELS, scan
from rnnstudy.models.classifier import PopulationClassifier
from rnnstudy.models.shapes import Shape
from rnnstudy.models.stacked import PopulationRNN
from rnnstudy.training.adam import PopulationAdam
from rnnstudy.training.steps import train_steps
from rnnstudy.training.trainer import train_epoch

from compare_builds import table_difference
from conftest import SMOKE, snakemake
from helpers import (
    SEEDS,
    VOCAB,
    check_against_torch,
    check_gradients_against_torch,
    classifier_reference_gradients,
    mse,
)
from kill_anywhere import copy_workflow

torch.set_num_threads(1)


@pytest.fixture(scope="module", autouse=True)
def kernels():
    """Every test here is about the fused path: it must build on this machine."""
    if fused.kernels() is None:
        pytest.skip("the fused kernels did not build here (see the log): the plain path runs")


@pytest.fixture(params=["fused", "plain"])
def path(request):
    """Run the test on each path."""
    with fused.use(request.param):
        yield request.param


@pytest.fixture
def fused_path():
    with fused.use("fused"):
        yield


@pytest.fixture
def selected():
    """Restores the process's path after a test that selects one."""
    before = fused._selected
    yield
    fused.select(before)


def test_kernels_fused_chooses_the_fused_path_for_its_cells_on_the_cpu(selected):
    fused.select("plain")
    assert not fused.enabled("gru", torch.zeros(1))
    fused.select("fused")
    for model in MODELS:
        assert fused.enabled(model, torch.zeros(1))
        assert fused.enabled(model, torch.zeros(1, dtype=torch.float64))
    with fused.use("plain"):
        assert not fused.enabled("gru", torch.zeros(1))
    # The scans torch.nn lacks, and other dtypes, stay on the plain path.
    for model in ("ugrnn", "lstm_peephole", "lstm_cifg", "lstm_nf"):
        assert not fused.enabled(model, torch.zeros(1))
    assert not fused.enabled("gru", torch.zeros(1, dtype=torch.bfloat16))
    # The stacked networks' scan: gated cells up to 32 units (where it measured faster).
    assert fused.scan_enabled("gru", torch.zeros(1), 32)
    assert not fused.scan_enabled("gru", torch.zeros(1), 64)
    assert not fused.scan_enabled("rnn", torch.zeros(1), 8)


# -- the classifier against torch.nn, on both paths ----------------------------------------

@pytest.mark.parametrize("layout", ["shared", "per_member"])
@pytest.mark.parametrize("model", MODELS)
def test_classifier_matches_torch_nn(model, layout, path):
    classifier = PopulationClassifier(model, VOCAB, 3, 5)
    g = torch.Generator().manual_seed(1)
    shape = (6, 9) if layout == "shared" else (len(SEEDS), 6, 9)
    tokens = torch.randint(0, VOCAB, shape, generator=g)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float32)
    check_against_torch(classifier, params, fixed, tokens)
    # with gradients on (training's forward) the logits are the same
    w = classifier.unflatten(params.clone().requires_grad_(True), fixed)
    with torch.no_grad():
        want = classifier.logits(params, fixed, tokens)
    torch.testing.assert_close(classifier.logits_of(w, tokens).detach(), want, atol=1e-6,
                               rtol=0)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    labels = torch.randint(0, 2, shape[:-1], generator=g)
    check_gradients_against_torch(classifier, params, fixed, tokens, labels)


@pytest.mark.parametrize("model", MODELS)
def test_classifier_gradients_match_torch_nn_with_saturated_gates_and_fixed_words(model, path):
    # Weights 15 times torch.nn's initialization: many gates where σ' or tanh' < 1e-4.
    classifier = PopulationClassifier(model, VOCAB, 3, 5, embedding="fixed")
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    w = classifier.unflatten(params, fixed)
    for name in ("w_ih", "w_hh", "b_ih", "b_hh"):
        w[name].mul_(15.0)
    g = torch.Generator().manual_seed(10)
    tokens = torch.randint(0, VOCAB, (len(SEEDS), 6, 9), generator=g)
    labels = torch.randint(0, 2, (len(SEEDS), 6), generator=g)
    if model != "rnn_relu":  # whose states grow to 1e8 here: their rounding exceeds 1e-10
        check_against_torch(classifier, params, fixed, tokens, atol=1e-10)
    check_gradients_against_torch(classifier, params, fixed, tokens, labels)


def classifier_loss_and_grad(classifier, params, fixed, tokens, labels):
    views = classifier.unflatten(params.clone().requires_grad_(True), fixed)
    logits = classifier.logits_of(views, tokens)
    loss = F.cross_entropy(logits.transpose(1, 2), labels, reduction="sum")
    return logits.detach(), classifier.flat_grad(loss, views)


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("model", MODELS)
def test_fused_classifier_equals_the_plain_path(model, dtype, tol):
    # The benchmark's shape: 8 units, batches of 64 (four chunks of the kernels' lanes).
    classifier = PopulationClassifier(model, VOCAB, 4, 8)
    params, fixed = classifier.init_population(list(range(5)), dtype=dtype)
    g = torch.Generator().manual_seed(3)
    tokens = torch.randint(0, VOCAB, (5, 64, 10), generator=g)
    labels = torch.randint(0, 2, (5, 64), generator=g)
    with fused.use("fused"):
        logits, grad = classifier_loss_and_grad(classifier, params, fixed, tokens, labels)
    with fused.use("plain"):
        want_logits, want_grad = classifier_loss_and_grad(classifier, params, fixed, tokens,
                                                          labels)
    torch.testing.assert_close(logits, want_logits, atol=tol, rtol=0)
    scale = want_grad.abs().amax(1, keepdim=True)
    assert (scale > 0).all()
    torch.testing.assert_close(grad / scale, want_grad / scale, atol=tol, rtol=0)


# -- the scan of stacked networks -------------------------------------------------------------

@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("model", MODELS)
def test_fused_scan_equals_the_plain_scan(model, dtype, tol):
    # (models/cells.scan runs the RNNs' plain scan; the kernels have theirs all the same)
    g = torch.Generator().manual_seed(4)
    width = GATES[model] * 5
    gx = torch.randn(7, 3, 11, width, generator=g, dtype=dtype).requires_grad_(True)
    w_hh = (0.5 * torch.randn(3, 5, width, generator=g, dtype=dtype)).requires_grad_(True)
    b_hh = torch.randn(3, 1, width, generator=g, dtype=dtype).requires_grad_(True)
    weights = torch.randn(7, 3, 11, 5, generator=g, dtype=dtype)  # a loss on every state
    results = []
    for plain in (False, True):
        with fused.use("plain" if plain else "fused"):
            states = (torch.stack(scan(model, gx, w_hh, b_hh)) if plain
                      else fused.scan(model, gx, w_hh, b_hh))
        results.append((states.detach(), *torch.autograd.grad((states * weights).sum(),
                                                               [gx, w_hh, b_hh])))
    for got, want in zip(*results):
        scale = want.abs().max()
        torch.testing.assert_close(got / scale, want / scale, atol=tol, rtol=0)


# -- a member trains alone as in its population -----------------------------------------------

@pytest.mark.parametrize("model", MODELS)
@pytest.mark.usefixtures("fused_path")
def test_a_classifier_member_trains_alone_exactly_as_in_its_population(model):
    # The kernels compute each member by the same code whatever its population-mates, so
    # alone it follows its population trajectory to the bit.
    classifier = PopulationClassifier(model, VOCAB, 4, 8)
    params, fixed = classifier.init_population([5, 6, 7])
    g = torch.Generator().manual_seed(5)
    split = Split(torch.randint(0, VOCAB, (256, 10), generator=g),
                  torch.randint(0, 2, (256,), generator=g))
    order = torch.stack([torch.randperm(256, generator=g) for _ in range(3)])
    lr = torch.tensor([1e-2, 3e-3, 3e-2], dtype=torch.float64)
    together = params.clone()
    loss, acc, _ = train_epoch(classifier, together, fixed, PopulationAdam.zeros_like(together),
                               lr, split, order, 32)
    assert (together != params).any(1).all()
    for p in range(3):
        alone = params[p:p + 1].clone()
        loss_p, acc_p, _ = train_epoch(classifier, alone, fixed[p:p + 1],
                                       PopulationAdam.zeros_like(alone), lr[p:p + 1], split,
                                       order[p:p + 1], 32)
        assert torch.equal(alone[0], together[p])
        assert loss_p[0] == loss[p] and acc_p[0] == acc[p]


@pytest.mark.parametrize("cell", ["rnn", "irnn", "gru", "lstm"])
@pytest.mark.usefixtures("fused_path")
def test_a_stacked_member_trains_alone_exactly_as_in_its_population(cell):
    model = PopulationRNN(Shape(cell, 3, 5, 2, 2))
    params = torch.stack([model.draw(torch.Generator().manual_seed(s), 1.0, 1.0, torch.float64)
                          for s in (1, 2, 3)])
    g = torch.Generator().manual_seed(6)
    x = torch.randn(10, 4, 3, 16, 3, generator=g, dtype=torch.float64)
    y = x[:, 0, ..., :2].clone()
    lr = torch.tensor([1e-2, 3e-3, 3e-2], dtype=torch.float64)

    together = train_steps(model, params, lr, 10, lambda s: (x[s - 1], y[s - 1]), mse, 5)
    assert (together.params != params).any(1).all()
    for p in range(3):
        alone = train_steps(model, params[p:p + 1], lr[p:p + 1], 10,
                            lambda s: (x[s - 1][:, p:p + 1], y[s - 1][p:p + 1]), mse, 5)
        # (to rounding: the input products W_ih·x are torch's batched matmul, whose
        # blocking may depend on the population's size)
        torch.testing.assert_close(alone.params[0], together.params[p], atol=1e-12, rtol=0)


# -- one epoch of training in one call ------------------------------------------------------

def an_epoch(classifier, params, fixed, lr, split, order, batch):
    params = params.clone()
    adam = PopulationAdam.zeros_like(params)
    for _ in range(2):  # a second epoch starts from Adam's state after the first
        loss, acc, finite = train_epoch(classifier, params, fixed, adam, lr, split, order, batch)
    return params, adam, loss, acc, finite


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 2e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("embedding", ["learned", "fixed"])
@pytest.mark.parametrize("model", MODELS)
def test_the_fused_epoch_equals_the_plain_epoch(model, embedding, dtype, tol):
    classifier = PopulationClassifier(model, VOCAB, 4, 8, embedding=embedding)
    params, fixed = classifier.init_population([1, 2, 3, 4], dtype=dtype)
    w = classifier.unflatten(params, fixed)
    w["w_out"][3, 0, 0] = float("nan")  # member 3's loss is not finite: it stops
    g = torch.Generator().manual_seed(11)
    split = Split(torch.randint(0, VOCAB, (200, 10), generator=g),
                  torch.randint(0, 2, (200,), generator=g))
    order = torch.stack([torch.randperm(200, generator=g) for _ in range(4)])
    lr = torch.tensor([1e-2, 3e-3, 3e-2, 1e-2], dtype=torch.float64)
    with fused.use("fused"):
        got = an_epoch(classifier, params, fixed, lr, split, order, 64)  # a last batch of 8
    with fused.use("plain"):
        want = an_epoch(classifier, params, fixed, lr, split, order, 64)
    assert got[4].tolist() == want[4].tolist() == [True, True, True, False]
    torch.testing.assert_close(got[0][3], params[3], equal_nan=True, atol=0, rtol=0)
    assert (got[0][:3] != params[:3]).any(1).all()
    torch.testing.assert_close(got[0], want[0], atol=tol, rtol=0, equal_nan=True)
    for name in ("exp_avg", "exp_avg_sq", "steps"):
        torch.testing.assert_close(getattr(got[1], name), getattr(want[1], name), atol=tol,
                                   rtol=0, equal_nan=True)
    torch.testing.assert_close(got[2], want[2], atol=tol, rtol=0, equal_nan=True)
    torch.testing.assert_close(got[3], want[3], atol=0, rtol=0)


# -- the build cache and the fallback --------------------------------------------------------

def test_a_new_process_loads_the_cached_kernels_without_building():
    code = ("import logging, time; logging.basicConfig(level=logging.INFO); "
            "started = time.perf_counter(); from rnnstudy.models import fused; "
            "assert fused.kernels() is not None; print(time.perf_counter() - started)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "built" not in done.stderr
    assert float(done.stdout) < 5


@pytest.mark.usefixtures("fused_path")
def test_without_kernels_the_plain_path_runs_and_says_so_once(monkeypatch, caplog):
    monkeypatch.setattr(fused, "_kernels", None)
    monkeypatch.setattr(fused, "_said", set())

    def no_compiler():
        raise RuntimeError("Error building extension: c++: not found")
    monkeypatch.setattr(fused, "load_kernels", no_compiler)
    classifier = PopulationClassifier("gru", VOCAB, 3, 5)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    tokens = torch.randint(0, VOCAB, (6, 9), generator=torch.Generator().manual_seed(7))
    labels = torch.randint(0, 2, (6,), generator=torch.Generator().manual_seed(8))
    with caplog.at_level(logging.WARNING, logger="rnnstudy.models.fused"):
        check_gradients_against_torch(classifier, params, fixed, tokens, labels)
        assert not fused.enabled("gru", params)
    said = [r.getMessage() for r in caplog.records if "plain PyTorch path" in r.getMessage()]
    assert len(said) == 1 and "did not build" in said[0] and "c++: not found" in said[0]


def test_kernels_plain_chooses_the_plain_path_and_a_use_block_overrides_it(selected):
    fused.select("plain")
    assert not fused.enabled("gru", torch.zeros(1))
    with fused.use("fused"):
        assert fused.enabled("gru", torch.zeros(1))
    with pytest.raises(ValueError, match="unknown kernels 'fast'"):
        fused.select("fast")


@pytest.mark.parametrize("kernels", ["fused", "plain"])
def test_a_job_runs_on_the_configs_kernels_and_they_are_in_its_params(selected, kernels):
    """The config's `kernels` reaches the training jobs' params (so changing it reruns
    them) and selects the path in the job's process; E5's shards, which evaluate without
    the cells' kernels, leave it out."""
    from rnnstudy import grid
    from rnnstudy.experiments import BY_ID
    from rnnstudy.jobs.preamble import device_only

    from conftest import smoke_config

    config = {**smoke_config(), "kernels": kernels}
    cell = grid.training_cells(config)[0]
    params = grid.cell_params(config, cell, BY_ID[cell.experiment])
    assert params["kernels"] == kernels
    shards = {shard.experiment: shard for shard in grid.shards(config)}
    assert grid.shard_params(config, shards["e8_capacity"])["kernels"] == kernels
    assert grid.job_params(config, BY_ID["e7_perturbation"])["kernels"] == kernels
    for evaluates in ("e5_landscape", "e17_char_generation"):
        assert "kernels" not in grid.shard_params(config, shards[evaluates])
    fused.select("plain" if kernels == "fused" else "fused")
    device_only({**params, "device": "cpu"}, 1)
    assert fused.enabled("gru", torch.zeros(1)) == (kernels == "fused")


# -- CUDA ------------------------------------------------------------------------------------

@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
@pytest.mark.parametrize("model", MODELS)
def test_on_cuda_the_classifier_matches_torch_nn_there(model):
    """On the GPU the plain path runs (the kernels are CPU code): its logits and gradients
    equal those of torch.nn's modules on the GPU, member by member."""
    device = torch.device("cuda")
    assert not fused.enabled(model, torch.zeros(1, device=device))
    classifier = PopulationClassifier(model, VOCAB, 3, 5)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    g = torch.Generator().manual_seed(9)
    tokens = torch.randint(0, VOCAB, (len(SEEDS), 6, 9), generator=g).to(device)
    labels = torch.randint(0, 2, (len(SEEDS), 6), generator=g).to(device)
    logits, grad = classifier_loss_and_grad(classifier, params.to(device), fixed.to(device),
                                            tokens, labels)
    got = classifier.unflatten(grad, fixed)
    w = classifier.unflatten(params.to(device), fixed.to(device))
    for p in range(len(SEEDS)):
        want_logits, want = classifier_reference_gradients(classifier, w, p, tokens[p],
                                                           labels[p])
        assert want_logits.device.type == "cuda"
        torch.testing.assert_close(logits[p], want_logits, atol=1e-10, rtol=0)
        for name, expected in want.items():
            torch.testing.assert_close(got[name][p], expected, atol=1e-10, rtol=1e-10)


# -- the pipeline on both paths ---------------------------------------------------------------

# Tables whose jobs run each fused entry point on the smoke preset: the classifier's training
# epoch (E1), the GRU's scan at 8 units (E10), the LSTM's at 8 (E15).
PATH_TABLES = ["e1_trainability", "e1_trainability_epochs", "e10_per_unit_errors",
               "e15_palindromes_runs", "e15_palindromes_curves"]


@pytest.mark.build
def test_the_pipelines_tables_agree_across_the_paths_in_float64(tmp_path):
    """The smoke preset's tables built on `kernels: fused` and `kernels: plain` agree to
    1e-9 in float64: the two paths compute the same training, and what differs is rounding
    (in float32 that rounding, amplified over hundreds of steps, moves a stopping epoch or a
    converged-at step now and then; docs/speed.md measures it on the quick preset)."""
    tables = {}
    for kernels in ("fused", "plain"):
        workdir = copy_workflow(tmp_path / kernels)
        (workdir / "path.yaml").write_text(f"dtype: float64\nkernels: {kernels}\n")
        snakemake(workdir, *(f"results/tables/{t}.csv" for t in PATH_TABLES),
                  "--configfile", SMOKE, "path.yaml")
        tables[kernels] = {t: pd.read_csv(workdir / "results" / "tables" / f"{t}.csv")
                           for t in PATH_TABLES}
    for table in PATH_TABLES:
        difference = table_difference(tables["fused"][table], tables["plain"][table])
        assert not isinstance(difference, str), (table, difference)
        assert max(difference.values()) <= 1e-9, (table, difference)
