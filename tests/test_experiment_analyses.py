"""E3–E7's core computations on small inputs where the answer is known."""
import numpy as np
import pandas as pd
import pytest
import torch

from rnnstudy.analysis.e3_word_geometry import word_spaces
from rnnstudy.analysis.e5_landscape import (
    BLOCK,
    correct_counts,
    draw_block,
    evaluate_settings,
    histogram_frame,
    weighted_quantiles,
)
from rnnstudy.analysis.e6_update_cosine import update_cosine
from rnnstudy.analysis.e7_perturbation import distances, perturb
from rnnstudy.analysis.selection import select_member
from rnnstudy.claims.e3_word_geometry import line_spread, linearly_separable
from rnnstudy.claims.e5_landscape import ks_distance
from rnnstudy.claims.e6_update_cosine import roughness
from rnnstudy.data.sentiment import Vocabulary, sentiment_dataset
from rnnstudy.data.split import Split
from rnnstudy.models.classifier import PopulationClassifier

torch.set_num_threads(1)
VOCAB = Vocabulary()


# -- selection ------------------------------------------------------------------------------

def test_selection_takes_the_lowest_init_reaching_the_threshold():
    final = pd.DataFrame({"init": [0, 1, 2, 3], "val_acc": [0.5, 0.99, 0.97, 0.995]})
    chosen = select_member(final, 0.98)
    assert chosen["selected_init"] == 1 and chosen["threshold_reached"]
    assert chosen["candidates_reaching"] == 2 and chosen["candidates"] == 4


def test_selection_without_a_winner_takes_the_best_and_says_so():
    final = pd.DataFrame({"init": [0, 1, 2], "val_acc": [0.6, 0.9, 0.9]})
    chosen = select_member(final, 0.98)
    assert chosen == {"selected_init": 1, "selected_val_acc": 0.9, "min_val_acc": 0.98,
                      "threshold_reached": False, "candidates_reaching": 0, "candidates": 3}


# -- E3 -------------------------------------------------------------------------------------

def test_separability_and_line_spread_on_known_points():
    assert linearly_separable(np.array([[0, 0], [1, 0]]), np.array([[0, 2], [1, 2]]))
    # xor-like corners cannot be separated by a line
    assert not linearly_separable(np.array([[0, 0], [1, 1]]), np.array([[0, 1], [1, 0]]),
                                  epochs=2000)
    on_a_line = np.array([[t, 2 * t + 1] for t in range(10)], dtype=float)
    assert line_spread(on_a_line) < 1e-12
    assert line_spread(np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)) == pytest.approx(1)


def test_word_spaces_are_the_products_the_seed_plots():
    model = PopulationClassifier("gru", 10, 2, 2)
    params, fixed = model.init_population([5, 6])
    spaces = word_spaces(model, params, fixed, member=1)
    w = model.unflatten(params, fixed)
    w_in = w["w_ih"][1][:, 4:6]  # GRU gates r, z, n: the n block writes the state
    np.testing.assert_allclose(spaces["embedding"], w["embedding"][1].numpy())
    np.testing.assert_allclose(spaces["input"], (w["embedding"][1] @ w_in).numpy(), atol=1e-6)
    np.testing.assert_allclose(spaces["output"],
                               (w["embedding"][1] @ w_in @ w["w_out"][1]).numpy(), atol=1e-6)


# -- E4: tests/test_claims_e4_trajectories.py ------------------------------------------


# -- E5 -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def first_validation():
    data = sentiment_dataset("first", 10, {"train": 10, "validation": 300, "test": 10}, VOCAB, 3)
    return Split.from_numpy(data["validation"].tokens, data["validation"].labels, "cpu")


def test_random_settings_follow_the_default_initialization():
    model = PopulationClassifier("gru", 10, 4, 4)
    params, fixed = draw_block(model, seed=1, block=0, dtype=torch.float32)
    assert params.shape == (BLOCK, model.n_params) and fixed.shape == (BLOCK, 0)
    w = model.unflatten(params, fixed)
    for name in ("w_ih", "w_hh", "b_ih", "b_hh", "w_out", "b_out"):
        assert w[name].abs().max() <= 0.5  # 1/sqrt(4)
    assert w["embedding"].std().item() == pytest.approx(1, abs=0.05)


@pytest.mark.parametrize("kind", ["rnn", "gru"])
def test_settings_evaluation_counts_what_the_reference_forward_counts(kind, first_validation):
    model = PopulationClassifier(kind, 10, 2, 4)
    params, fixed = draw_block(model, seed=2, block=0, dtype=torch.float32)
    params, fixed = params[:40], fixed[:40]
    counts = correct_counts(model, params, fixed, first_validation)
    with torch.enable_grad():  # the autograd path: cells.scan, no fast forward
        logits = model.logits(params, fixed, first_validation.tokens)
    expected = (logits.argmax(-1) == first_validation.labels).sum(1)
    assert torch.equal(counts, expected)


def test_histograms_do_not_depend_on_sharding(first_validation):
    model = PopulationClassifier("rnn", 10, 2, 2)
    whole = evaluate_settings(model, 7, 0, 1500, first_validation)
    parts = (evaluate_settings(model, 7, 0, 700, first_validation)
             + evaluate_settings(model, 7, 700, 1500, first_validation))
    assert whole.sum() == 1500
    assert np.array_equal(whole, parts)
    frame = histogram_frame(whole)
    assert frame["settings"].sum() == 1500
    assert (frame["accuracy"] == frame["correct"] / 300).all()


def test_histogram_statistics():
    a = pd.DataFrame({"accuracy": [0.4, 0.5, 0.6], "settings": [1, 2, 1]})
    assert ks_distance(a, a) == 0
    b = pd.DataFrame({"accuracy": [0.7], "settings": [5]})
    assert ks_distance(a, b) == 1
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert list(weighted_quantiles(values, np.array([1, 1, 1, 1]), (0.25, 0.5, 1.0))) == [1, 2, 4]


# -- E6 -------------------------------------------------------------------------------------

def test_cosine_of_a_straight_line_trajectory_is_one():
    direction = torch.randn(30, dtype=torch.float64)
    steps = torch.tensor([0.0, 0.5, 1.5, 2.0, 4.0], dtype=torch.float64)
    trajectory = steps[:, None] * direction[None, :] + 3.0
    cosine = update_cosine(trajectory)
    assert torch.allclose(cosine, torch.ones(4, dtype=torch.float64))
    assert roughness(cosine) == pytest.approx(0, abs=1e-12)


def test_cosine_of_a_detour_is_negative_where_it_goes_back():
    trajectory = torch.tensor([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0]])
    cosine = update_cosine(trajectory)
    assert cosine.tolist() == pytest.approx([1.0, -1.0])


# -- E7 -------------------------------------------------------------------------------------

def test_zero_perturbation_returns_the_weights():
    best = torch.randn(50)
    perturbed, members, sigma = perturb(best, [0.0], 3, ("t",))
    assert all(torch.equal(row, best) for row in perturbed)
    assert members == [(0.0, 0), (0.0, 1), (0.0, 2)]
    assert sigma == pytest.approx(best.double().std().item())


def test_perturbation_noise_has_the_asked_scale_and_own_seeds():
    best = torch.randn(20000, dtype=torch.float64) * 0.3
    perturbed, members, sigma = perturb(best, [0.5, 2.0], 2, ("t",))
    noise = perturbed - best
    assert noise[0].std().item() == pytest.approx(0.5 * sigma, rel=0.03)
    assert noise[2].std().item() == pytest.approx(2.0 * sigma, rel=0.03)
    assert not torch.equal(noise[0], noise[1])  # draws differ
    again, _, _ = perturb(best, [0.5, 2.0], 2, ("t",))
    assert torch.equal(again, perturbed)
    trajectory = torch.stack([perturbed, perturbed])
    assert torch.allclose(distances(trajectory, best)[0], noise.norm(dim=1))
