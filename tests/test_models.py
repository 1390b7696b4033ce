"""Population classifiers against torch.nn, initialization, and member independence."""
import math

import pytest
import torch
import torch.nn.functional as F

from rnnstudy.models.cells import GATES, MODELS
from rnnstudy.models.classifier import PopulationClassifier
from rnnstudy.models.inference import PrefixTree

from helpers import (
    SEEDS,
    VOCAB,
    check_against_torch,
    check_gradients_against_torch,
    classifier_reference,
    torch_rnn,
)

SHAPES = [(3, 5), (2, 2)]  # (input, hidden)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("model", MODELS)
def test_matches_torch_nn_with_shared_tokens(model, shape):
    classifier = PopulationClassifier(model, VOCAB, *shape)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float32)
    tokens = torch.randint(0, VOCAB, (6, 9), generator=torch.Generator().manual_seed(1))
    check_against_torch(classifier, params, fixed, tokens)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("model", MODELS)
def test_matches_torch_nn_with_one_batch_per_member(model, shape):
    classifier = PopulationClassifier(model, VOCAB, *shape)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float32)
    tokens = torch.randint(0, VOCAB, (len(SEEDS), 6, 9), generator=torch.Generator().manual_seed(2))
    assert not torch.equal(tokens[0], tokens[1])
    check_against_torch(classifier, params, fixed, tokens)


@pytest.mark.parametrize("model", MODELS)
def test_matches_torch_nn_with_large_weights(model):
    # Saturating gates and relu's unbounded growth: scale the recurrent and input weights up.
    # (float64, since relu states grow beyond where float32 rounding stays under 1e-5.)
    classifier = PopulationClassifier(model, VOCAB, 3, 5)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    w = classifier.unflatten(params, fixed)
    w["w_hh"].mul_(3.0)
    w["w_ih"].mul_(2.0)
    tokens = torch.randint(0, VOCAB, (5, 12), generator=torch.Generator().manual_seed(3))
    check_against_torch(classifier, params, fixed, tokens, atol=1e-10)


@pytest.mark.parametrize("model", MODELS)
def test_matches_torch_nn_with_fixed_embedding(model):
    classifier = PopulationClassifier(model, VOCAB, 3, 5, embedding="fixed")
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float32)
    tokens = torch.randint(0, VOCAB, (len(SEEDS), 4, 7), generator=torch.Generator().manual_seed(4))
    check_against_torch(classifier, params, fixed, tokens)


@pytest.mark.parametrize("model", MODELS)
def test_members_with_the_same_batch_in_both_layouts_agree(model):
    classifier = PopulationClassifier(model, VOCAB, 2, 3)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    tokens = torch.randint(0, VOCAB, (5, 8), generator=torch.Generator().manual_seed(5))
    shared = classifier.logits(params, fixed, tokens)
    per_member = classifier.logits(params, fixed, tokens.expand(len(SEEDS), -1, -1))
    torch.testing.assert_close(shared, per_member, atol=1e-12, rtol=0)


# -- gradients against torch.nn --------------------------------------------------------------

def gate_preactivations(classifier, w, p, tokens):
    """Member p's pre-activations of its sigmoid/tanh gates at every step, [B, T, width]
    (GRU: r and z only, since n's depends on r), from torch.nn's hidden states."""
    rnn, _ = classifier_reference(classifier, w, p)
    with torch.no_grad():
        inputs = w["embedding"][p][tokens]
        states, _ = rnn(inputs)
        previous = torch.cat([torch.zeros_like(states[:, :1]), states[:, :-1]], 1)
        a = (inputs @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
             + previous @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
    return a[..., :2 * classifier.hidden_dim] if classifier.model == "gru" else a


@pytest.mark.parametrize("layout", ["shared", "per_member"])
@pytest.mark.parametrize("model", MODELS)
def test_gradients_match_torch_nn(model, layout):
    classifier = PopulationClassifier(model, VOCAB, 3, 5)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    g = torch.Generator().manual_seed(9)
    shape = (6, 9) if layout == "shared" else (len(SEEDS), 6, 9)
    tokens = torch.randint(0, VOCAB, shape, generator=g)
    labels = torch.randint(0, 2, shape[:-1], generator=g)
    check_gradients_against_torch(classifier, params, fixed, tokens, labels)


@pytest.mark.parametrize("model", MODELS)
def test_gradients_match_torch_nn_with_saturated_gates(model):
    # Input and recurrent weights and biases 15 times torch.nn's initialization: a large
    # share of the gates sit where σ' or tanh' is below 1e-4, and relu states grow large.
    classifier = PopulationClassifier(model, VOCAB, 3, 5)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    w = classifier.unflatten(params, fixed)
    for name in ("w_ih", "w_hh", "b_ih", "b_hh"):
        w[name].mul_(15.0)
    g = torch.Generator().manual_seed(10)
    tokens = torch.randint(0, VOCAB, (6, 9), generator=g)
    labels = torch.randint(0, 2, (6,), generator=g)
    for p in range(len(SEEDS)):
        a = gate_preactivations(classifier, w, p, tokens)
        if model == "rnn_relu":
            assert a.max() > 1e3, p
        else:
            assert (a.abs() > 10).double().mean() > 0.2, p
    check_gradients_against_torch(classifier, params, fixed, tokens, labels)


@pytest.mark.parametrize("model", MODELS)
def test_gradients_match_torch_nn_with_fixed_embedding(model):
    classifier = PopulationClassifier(model, VOCAB, 3, 5, embedding="fixed")
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    g = torch.Generator().manual_seed(11)
    tokens = torch.randint(0, VOCAB, (6, 9), generator=g)
    labels = torch.randint(0, 2, (6,), generator=g)
    assert "embedding" not in [p.name for p in classifier.trainable]
    check_gradients_against_torch(classifier, params, fixed, tokens, labels)


def test_unknown_model_and_embedding_are_refused():
    with pytest.raises(ValueError, match="unknown model"):
        PopulationClassifier("transformer", VOCAB, 2, 2)
    with pytest.raises(ValueError, match="unknown embedding"):
        PopulationClassifier("gru", VOCAB, 2, 2, embedding="onehot")


# -- initialization --------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS)
def test_parameter_count_matches_torch_nn(model):
    input_dim, hidden_dim = 3, 5
    classifier = PopulationClassifier(model, VOCAB, input_dim, hidden_dim)
    reference = (sum(p.numel() for p in torch_rnn(model, input_dim, hidden_dim).parameters())
                 + hidden_dim * 2 + 2 + VOCAB * input_dim)
    assert classifier.n_params == reference
    params, fixed = classifier.init_population(SEEDS)
    assert params.shape == (len(SEEDS), reference)
    assert fixed.shape == (len(SEEDS), 0)
    w = classifier.unflatten(params, fixed)
    gh = GATES[model] * hidden_dim
    assert w["embedding"].shape == (len(SEEDS), VOCAB, input_dim)
    assert w["w_ih"].shape == (len(SEEDS), input_dim, gh)
    assert w["w_hh"].shape == (len(SEEDS), hidden_dim, gh)
    assert w["b_ih"].shape == w["b_hh"].shape == (len(SEEDS), 1, gh)
    assert w["w_out"].shape == (len(SEEDS), hidden_dim, 2)
    assert w["b_out"].shape == (len(SEEDS), 1, 2)


def test_unflatten_gives_views_that_cover_params_once():
    classifier = PopulationClassifier("lstm", VOCAB, 3, 4)
    params, fixed = classifier.init_population(SEEDS)
    w = classifier.unflatten(params, fixed)
    assert sum(v[0].numel() for v in w.values()) == params.shape[1]
    flat = torch.cat([w[p.name].reshape(len(SEEDS), -1) for p in classifier.spec], 1)
    assert torch.equal(flat, params)
    w["w_out"][2, 0, 1] = 123.0  # a view: writes reach the flat tensor
    assert (params[2] == 123.0).sum() == 1


@pytest.mark.parametrize("model", MODELS)
def test_same_seed_same_parameters_different_seeds_differ(model):
    classifier = PopulationClassifier(model, VOCAB, 3, 5)
    a, _ = classifier.init_population(SEEDS)
    b, _ = classifier.init_population(SEEDS)
    assert torch.equal(a, b)
    # A member's values depend on its seed only, not on its position or its population.
    c, _ = classifier.init_population([SEEDS[2], 999, SEEDS[0]])
    assert torch.equal(c[0], a[2]) and torch.equal(c[2], a[0])
    for i in range(len(SEEDS)):
        for j in range(i + 1, len(SEEDS)):
            assert not torch.equal(a[i], a[j])
            assert (a[i] != a[j]).float().mean() > 0.99


def test_dtype_is_honoured_and_float32_is_float64_rounded():
    classifier = PopulationClassifier("gru", VOCAB, 3, 5)
    single, _ = classifier.init_population(SEEDS, dtype=torch.float32)
    double, _ = classifier.init_population(SEEDS, dtype=torch.float64)
    assert single.dtype == torch.float32 and double.dtype == torch.float64
    assert torch.equal(single, double.to(torch.float32))


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("hidden", [2, 5, 16])
def test_uniform_weights_within_torch_nn_bound(model, hidden):
    classifier = PopulationClassifier(model, VOCAB, 3, hidden)
    params, fixed = classifier.init_population(list(range(20)), dtype=torch.float64)
    w = classifier.unflatten(params, fixed)
    bound = 1 / math.sqrt(hidden)
    for name in ("w_ih", "w_hh", "b_ih", "b_hh", "w_out", "b_out"):
        values = w[name]
        assert values.abs().max() <= bound, name
        # Uniform over the whole interval, not a smaller one (20 members give plenty of draws).
        assert values.abs().max() > 0.8 * bound, name
        assert values.min() < 0 < values.max(), name
    recurrent = torch.cat([w[n].reshape(-1) for n in ("w_ih", "w_hh", "b_ih", "b_hh")])
    assert abs(recurrent.mean()) < 0.1 * bound
    assert recurrent.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.1)


def test_embedding_is_standard_normal_for_a_large_vocabulary():
    classifier = PopulationClassifier("rnn", 5000, 4, 3)
    params, fixed = classifier.init_population([7, 8], dtype=torch.float64)
    embedding = classifier.unflatten(params, fixed)["embedding"]
    assert embedding.shape == (2, 5000, 4)
    values = embedding.reshape(-1)
    assert abs(values.mean()) < 0.03
    assert values.std().item() == pytest.approx(1.0, abs=0.03)
    assert (values.abs() > 1.96).double().mean().item() == pytest.approx(0.05, abs=0.01)
    assert values.abs().max() > 3.0  # not a bounded distribution


@pytest.mark.parametrize("model", MODELS)
def test_fixed_embedding_lives_in_fixed_with_the_learned_variants_values(model):
    learned = PopulationClassifier(model, VOCAB, 3, 5, embedding="learned")
    frozen = PopulationClassifier(model, VOCAB, 3, 5, embedding="fixed")
    assert frozen.n_params == learned.n_params - VOCAB * 3
    assert frozen.n_fixed == VOCAB * 3 and learned.n_fixed == 0
    lp, lf = learned.init_population(SEEDS)
    fp, ff = frozen.init_population(SEEDS)
    assert fp.shape == (len(SEEDS), frozen.n_params)
    assert ff.shape == (len(SEEDS), VOCAB * 3)
    lw, fw = learned.unflatten(lp, lf), frozen.unflatten(fp, ff)
    for name in lw:
        assert torch.equal(lw[name], fw[name]), name
    assert torch.equal(ff, lp[:, :VOCAB * 3])  # the embedding comes first in the learned params
    assert torch.equal(fp, lp[:, VOCAB * 3:])


def test_fixed_embedding_gets_no_gradient_and_same_logits():
    learned = PopulationClassifier("gru", VOCAB, 3, 5)
    frozen = PopulationClassifier("gru", VOCAB, 3, 5, embedding="fixed")
    lp, lf = learned.init_population(SEEDS, dtype=torch.float64)
    fp, ff = frozen.init_population(SEEDS, dtype=torch.float64)
    tokens = torch.randint(0, VOCAB, (4, 6), generator=torch.Generator().manual_seed(6))
    torch.testing.assert_close(learned.logits(lp, lf, tokens), frozen.logits(fp, ff, tokens),
                               atol=1e-12, rtol=0)
    fp.requires_grad_(True)
    frozen.logits(fp, ff, tokens).sum().backward()
    assert fp.grad.shape == fp.shape and fp.grad.abs().sum() > 0
    assert ff.grad is None


# -- independence of members -----------------------------------------------------------------

@pytest.mark.parametrize("layout", ["shared", "per_member"])
@pytest.mark.parametrize("model", MODELS)
def test_gradient_of_one_members_loss_touches_only_its_row(model, layout):
    classifier = PopulationClassifier(model, VOCAB, 3, 4)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    g = torch.Generator().manual_seed(7)
    shape = (5, 8) if layout == "shared" else (len(SEEDS), 5, 8)
    tokens = torch.randint(0, VOCAB, shape, generator=g)
    labels = torch.randint(0, 2, (5,), generator=g)
    for p in range(len(SEEDS)):
        x = params.clone().requires_grad_(True)
        logits = classifier.logits(x, fixed, tokens)
        (grad,) = torch.autograd.grad(F.cross_entropy(logits[p], labels), x)
        others = [q for q in range(len(SEEDS)) if q != p]
        assert torch.count_nonzero(grad[others]) == 0
        assert grad[p].abs().sum() > 0
        # ... and it is the gradient of that member computed alone.
        alone = params[p:p + 1].clone().requires_grad_(True)
        member_tokens = tokens if layout == "shared" else tokens[p:p + 1]
        (grad_alone,) = torch.autograd.grad(
            F.cross_entropy(classifier.logits(alone, fixed[p:p + 1], member_tokens)[0], labels),
            alone)
        torch.testing.assert_close(grad[p], grad_alone[0], atol=1e-12, rtol=0)


@pytest.mark.parametrize("model", MODELS)
def test_non_finite_member_does_not_leak_into_others(model):
    classifier = PopulationClassifier(model, VOCAB, 3, 4)
    params, fixed = classifier.init_population(SEEDS, dtype=torch.float64)
    tokens = torch.randint(0, VOCAB, (5, 8), generator=torch.Generator().manual_seed(8))
    clean = classifier.logits(params, fixed, tokens)
    poisoned = params.clone()
    poisoned[1] = float("nan")
    logits = classifier.logits(poisoned, fixed, tokens)
    assert torch.isnan(logits[1]).all()
    assert torch.equal(logits[[0, 2, 3]], clean[[0, 2, 3]])


@pytest.mark.parametrize("kind", ["rnn", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("hidden", [1, 3, 12])
def test_fast_evaluation_forward_equals_the_reference_scan(kind, hidden):
    """Without gradients, shared-token logits take models/inference.py's path: same values."""
    model = PopulationClassifier(kind, 10, 5, hidden)
    params, fixed = model.init_population([3, 4, 5, 6, 7])
    tokens = torch.randint(0, 10, (33, 9), generator=torch.Generator().manual_seed(1))
    reference = model.readout(params, fixed, model.hidden_states(params, fixed, tokens)[-1])
    with torch.no_grad():
        fast = model.logits(params, fixed, tokens)
    torch.testing.assert_close(fast, reference, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_evaluation_leaves_the_parameters_alone(kind):
    model = PopulationClassifier(kind, 10, 3, 4)
    params, fixed = model.init_population([1, 2])
    before = params.clone()
    with torch.no_grad():
        model.logits(params, fixed, torch.randint(0, 10, (20, 6)))
    assert torch.equal(params, before)


def _tree_sequences(tree):
    """Each sequence rebuilt from the tree: words of its prefix chain, then its own."""
    prefix = [[int(w)] for w in tree.words[0]] if tree.shared else None
    for t in range(1, tree.shared):
        prefix = [prefix[int(p)] + [int(w)] for p, w in zip(tree.parents[t - 1], tree.words[t])]
    rows = [prefix[int(e)] for e in tree.expand] if tree.shared else [[] for _ in tree.order]
    for words in tree.words[tree.shared:]:
        rows = [row + [int(w)] for row, w in zip(rows, words)]
    return rows


@pytest.mark.parametrize("vocab, batch", [(2, 300), (10, 33), (10, 1), (3, 2)])
def test_prefix_tree_rebuilds_every_sequence_in_its_order(vocab, batch):
    tokens = torch.randint(0, vocab, (batch, 7), generator=torch.Generator().manual_seed(vocab))
    tree = PrefixTree.of(tokens, vocab)
    assert sorted(tree.order.tolist()) == list(range(batch))
    assert _tree_sequences(tree) == tokens[tree.order].tolist()
    if vocab == 2:  # 2, 4, 8, ... distinct prefixes: several steps are shared
        assert tree.shared >= 5 and [len(w) for w in tree.words[:3]] == [2, 4, 8]


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_fast_forward_with_deeply_shared_prefixes_and_duplicates(kind):
    """A small vocabulary shares many steps; repeated sequences share all of them."""
    model = PopulationClassifier(kind, 2, 3, 4)
    params, fixed = model.init_population([5, 6])
    tokens = torch.randint(0, 2, (150, 8), generator=torch.Generator().manual_seed(2))
    tokens = torch.cat([tokens, tokens[:50]])
    reference = model.readout(params, fixed, model.hidden_states(params, fixed, tokens)[-1])
    with torch.no_grad():
        fast = model.logits(params, fixed, tokens)
        tree = PrefixTree.of(tokens, 2)
        in_tree_order = model.logits(params, fixed, tree)
    torch.testing.assert_close(fast, reference, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(in_tree_order, reference[:, tree.order], atol=1e-5, rtol=1e-5)
