"""The palindrome task (seed 003 §1) on known answers: the digits' structure, the target is the
first digit, an untrained network is at chance (10%), a small network learns short
palindromes, and the convergence rule: a member that reaches the threshold stops changing and
the run ends once all have. Then E15's, E16's and E13's tables and verdicts on hand-made runs."""
import pandas as pd
import pytest
import torch

from rnnstudy.analysis.e13_optimizers import rate_scores
from rnnstudy.analysis.e15_palindromes import longest, runs
from rnnstudy.analysis.palindromes import DIGITS, input_dim, palindromes, train_palindromes
from rnnstudy.claims.e13_optimizers import optimizers as optimizer_claims
from rnnstudy.claims.e15_palindromes import palindromes as palindrome_claims
from rnnstudy.claims.e16_rmsprop_adam import more_reliable
from rnnstudy.claims.verdict import HELD, NOT_HELD, PARTLY, UNTESTABLE
from rnnstudy.models.stacked import PopulationRNN, Shape
from rnnstudy.seeding import derive_seed

from helpers import CPU, population

SECTION = {"steps": 400, "batch_size": 64, "evaluate_every": 25, "evaluation_examples": 500,
           "converge_accuracy": 0.99, "clip_norm": 10.0}


@pytest.mark.parametrize("length", [2, 3, 4, 7, 10])
def test_palindromes_are_palindromes_whose_last_digit_is_the_target(length):
    x, target = palindromes(torch.Generator().manual_seed(length), length, 2000)
    assert x.shape == (length - 1, 2000, DIGITS) and x.dtype == torch.float32
    assert target.shape == (2000,) and target.dtype == torch.int64
    assert torch.equal(x.sum(-1), torch.ones(length - 1, 2000))  # one-hot
    digits = torch.cat([x.argmax(-1).T, target.unsqueeze(1)], dim=1)  # [examples, length]
    assert torch.equal(digits, digits.flip(1))
    assert torch.equal(target, x[0].argmax(-1))  # the last digit is the first one
    counts = torch.bincount(target, minlength=DIGITS).float()
    assert counts.min() > 150 and counts.max() < 250  # uniform digits (2000 / 10 = 200)
    if length >= 4:  # the first half's digits are independent of each other
        assert (x[0].argmax(-1) == x[1].argmax(-1)).float().mean() < 0.15


def test_the_scalar_encoding_is_the_digits_value():
    """Seed 003's code feeds each digit as one number; the same draws as one-hot."""
    one_hot = palindromes(torch.Generator().manual_seed(5), 7, 100)
    scalar = palindromes(torch.Generator().manual_seed(5), 7, 100, "scalar")
    assert scalar[0].shape == (6, 100, 1) and input_dim("scalar") == 1
    assert input_dim("one_hot") == DIGITS
    assert torch.equal(scalar[0][..., 0], one_hot[0].argmax(-1).float())
    assert torch.equal(scalar[1], one_hot[1])
    with pytest.raises(ValueError, match="unknown encoding 'binary'"):
        palindromes(torch.Generator(), 5, 5, "binary")


def test_palindromes_follow_the_generator_only():
    a = palindromes(torch.Generator().manual_seed(3), 6, 50)
    b = palindromes(torch.Generator().manual_seed(3), 6, 50)
    c = palindromes(torch.Generator().manual_seed(4), 6, 50)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[1], c[1])
    with pytest.raises(ValueError, match="needs length ≥ 2"):
        palindromes(torch.Generator(), 1, 5)


def test_untrained_networks_are_at_chance():
    """Step 0: ten classes, so about 10% right (the evaluation's 4000 examples × 3 members:
    a binomial standard error under 0.5%)."""
    for cell in ("rnn", "lstm", "gru"):
        model, init = population(cell, DIGITS, 16, outputs=DIGITS,
                                 seeds=range(3), dtype=torch.float32)
        curve = train_palindromes(model, init, torch.zeros(3, dtype=torch.float64), 6,
                                  {**SECTION, "steps": 1, "evaluate_every": 1,
                                   "evaluation_examples": 4000}, (0, "chance", cell), CPU,
                                  torch.float32)
        start = curve[curve["step"] == 0]
        assert start["train_loss"].isna().all() and not start["converged"].any()
        # an untrained network answers a few classes more often than others: chance per
        # member is a band around 10%, their mean is close to it
        assert start["accuracy"].between(0.04, 0.2).all()
        assert abs(start["accuracy"].mean() - 0.1) < 0.03


def test_a_small_network_learns_short_palindromes_and_the_run_ends_when_all_converged():
    model, init = population("lstm", DIGITS, 24, outputs=DIGITS,
                             seeds=range(2), dtype=torch.float32)
    curve = train_palindromes(model, init, torch.tensor([1e-2, 3e-3], dtype=torch.float64),
                              5, SECTION, (0, "learn"), CPU, torch.float32)
    last = curve.groupby("member").tail(1)
    assert last["converged"].all() and not last["diverged"].any()
    assert (last["accuracy"] >= SECTION["converge_accuracy"]).all()
    assert last["step"].max() < SECTION["steps"]  # the run ended early: all had converged
    # one converging row per member, its last; the loss fell from ln 10
    assert curve.groupby("member")["converged"].sum().eq(1).all()
    first = curve.dropna(subset=["train_loss"]).groupby("member").head(1)
    assert (last["train_loss"].to_numpy() < first["train_loss"].to_numpy()).all()
    assert (last["train_loss"] < 1.0).all() and (first["train_loss"] > 1.5).all()


class Spy(PopulationRNN):
    """Records each member's parameters whenever the evaluation set is scored."""

    def __init__(self, shape, evaluation_examples):
        super().__init__(shape)
        self.examples, self.seen = evaluation_examples, []

    def outputs(self, w, x):
        if x.shape[2] == self.examples:
            self.seen.append(torch.cat([w[name].reshape(w[name].shape[0], -1)
                                        for name, _ in self.layout], 1).clone())
        return super().outputs(w, x)


def test_a_converged_member_stops_changing_while_the_others_train():
    section = {**SECTION, "steps": 300, "evaluation_examples": 333}
    model = Spy(Shape("gru", DIGITS, 24, 1, DIGITS), section["evaluation_examples"])
    _, init = population("gru", DIGITS, 24, outputs=DIGITS, seeds=range(2), dtype=torch.float32)
    # member 0 learns length 3 fast; member 1's learning rate is too small to get there
    curve = train_palindromes(model, init, torch.tensor([1e-2, 1e-7], dtype=torch.float64),
                              3, section, (0, "stop"), CPU, torch.float32)
    rows = curve.groupby("member")
    converged_step = int(curve.loc[curve["converged"], "step"].iloc[0])
    assert rows.get_group(0)["step"].max() == converged_step < 300
    assert rows.get_group(1)["step"].max() == 300 and not rows.get_group(1)["converged"].any()
    evaluations = [0] + list(range(25, 301, 25))
    assert len(model.seen) == len(evaluations)
    at = evaluations.index(converged_step)
    for later in model.seen[at + 1:]:  # member 0's parameters no longer change
        assert torch.equal(later[0], model.seen[at][0])
    assert not torch.equal(model.seen[-1][1], model.seen[at][1])  # member 1's still do
    assert curve.loc[curve["member"] == 0, "accuracy"].iloc[-1] >= 0.99
    # each evaluation's accuracy is that of the weights seen there, on that step's own set
    plain = PopulationRNN(model.shape)
    for step, weights in zip(evaluations, model.seen):
        g = torch.Generator().manual_seed(derive_seed(0, "stop", "evaluation", step))
        x, target = palindromes(g, 3, section["evaluation_examples"])
        outputs = plain.outputs(plain.unflatten(weights), x.unsqueeze(1))
        accuracy = (outputs.argmax(-1) == target).double().mean(1)
        rows = curve[curve["step"] == step].set_index("member")["accuracy"]
        assert len(rows) == (2 if step <= converged_step else 1)
        for member, value in rows.items():
            assert value == float(accuracy[member]), (step, member)


def test_a_member_trains_as_it_would_alone():
    """Member 1 of a population and the same member alone (its stream named): the same
    draws, the same evaluations (float64: the batched products agree to rounding)."""
    model, init = population("rnn", DIGITS, 12, outputs=DIGITS, seeds=range(3), dtype=torch.float64)
    lr = torch.tensor([1e-2, 3e-3, 1e-3], dtype=torch.float64)
    section = {**SECTION, "steps": 60, "evaluate_every": 20}
    together = train_palindromes(model, init, lr, 5, section, (1, "alone"), CPU, torch.float64)
    alone = train_palindromes(model, init[1:2], lr[1:2], 5, section, (1, "alone"), CPU,
                              torch.float64, streams=[1])
    mine = together[together["member"] == 1].reset_index(drop=True)
    pd.testing.assert_series_equal(mine["accuracy"], alone["accuracy"])
    pd.testing.assert_series_equal(mine["train_loss"], alone["train_loss"], rtol=1e-9)


@pytest.mark.parametrize("name,options,other", [
    ("rmsprop", {"alpha": 0.9}, {"alpha": 0.5}), ("adagrad", {"eps": 1e-10}, {"eps": 0.1}),
    ("sgd_nesterov", {"momentum": 0.9}, {"momentum": 0.0})])
def test_other_optimizers_train_and_options_reach_them(name, options, other):
    """Each optimizer lowers the training loss, and its options change the run (the same
    members, data and learning rates under other options train otherwise)."""
    model, init = population("lstm", DIGITS, 16, outputs=DIGITS,
                             seeds=range(2), dtype=torch.float32)
    lr = torch.tensor([1e-2, 1e-2], dtype=torch.float64)
    section = {**SECTION, "steps": 50}

    def losses(options):  # mean training loss [evaluation, member] since each evaluation
        curve = train_palindromes(model, init, lr, 3, section, (0, name), CPU, torch.float32,
                                  name, options)
        assert not curve["diverged"].any()
        return curve.pivot(index="step", columns="member", values="train_loss").dropna()

    trained = losses(options)
    assert list(trained.index) == [25, 50]
    assert (trained.iloc[-1] < trained.iloc[0]).all(), trained
    assert (losses(other) - trained).abs().min().min() > 1e-4
    with pytest.raises(ValueError, match="takes no option"):
        train_palindromes(model, init, lr, 3, section, (0, "x"), CPU, torch.float32,
                          name, {"beta": 0.9})


# -- E15, E16, E13: the tables and the verdicts on hand-made runs -----------------------------

def curve_rows(steps_accuracy: list[tuple[int, float]], converged: bool, **keys) -> list[dict]:
    rows = []
    for i, (step, accuracy) in enumerate(steps_accuracy):
        rows.append({"optimizer": "adam", "model": "rnn", "length": 5, "hidden_dim": 8,
                     "lr": 1e-3, "replicate": 0, **keys, "step": step,
                     "train_loss": None if step == 0 else 1.0, "accuracy": accuracy,
                     "converged": converged and i == len(steps_accuracy) - 1,
                     "diverged": False})
    return rows


def test_runs_hold_a_converged_runs_accuracy_for_the_rest_of_the_budget():
    curves = pd.DataFrame(
        curve_rows([(0, 0.1), (100, 0.5), (200, 1.0)], True, replicate=0)
        + curve_rows([(0, 0.1), (100, 0.2), (200, 0.3), (300, 0.3)], False, replicate=1))
    table = runs(curves, ["optimizer", "model", "length", "hidden_dim"], 300, 100)
    first, second = table.iloc[0], table.iloc[1]
    assert first["converged"] and first["converged_at"] == 200 and first["steps"] == 200
    assert first["score"] == pytest.approx((0.1 + 0.5 + 1.0 + 1.0) / 4)
    assert not second["converged"] and pd.isna(second["converged_at"])
    assert second["score"] == pytest.approx((0.1 + 0.2 + 0.3 + 0.3) / 4)
    assert second["best_accuracy"] == 0.3 and second["final_loss"] == 1.0


def run_table(pattern: dict[tuple[str, int], list[bool]], lengths: list[int],
              optimizer: str = "adam") -> pd.DataFrame:
    """Runs of (model, replicate) → converged at each length."""
    return pd.DataFrame([
        {"optimizer": optimizer, "model": model, "length": length, "hidden_dim": 8,
         "lr": 1e-3, "replicate": replicate, "converged": ok,
         "converged_at": 100 * (i + 1) if ok else None, "diverged": False}
        for (model, replicate), flags in pattern.items()
        for i, (length, ok) in enumerate(zip(lengths, flags))])


def test_longest_counts_gaps_and_the_stretch_without_one():
    table = run_table({("rnn", 0): [True, False, True, False], ("rnn", 1): [False] * 4,
                       ("rnn", 2): [True] * 4, ("rnn", 3): [False, True, True, False]},
                      [5, 8, 10, 12])
    out = longest(table, ["optimizer", "model", "hidden_dim"]).set_index("replicate")
    assert out.loc[0, ["longest", "through", "gaps"]].tolist() == [10, 5, 1]
    assert out.loc[1, ["longest", "through", "gaps"]].tolist() == [0, 0, 0]
    assert out.loc[2, ["longest", "through", "gaps"]].tolist() == [12, 12, 0]
    assert out.loc[3, ["longest", "through", "gaps"]].tolist() == [10, 0, 1]
    assert (out["lengths"] == 4).all()


LENGTHS = [5, 8, 10, 12, 15, 20]


def e15_verdicts(rnn: list[bool], lstm: list[bool], replicates: int = 5) -> list[str]:
    table = run_table({**{("rnn", r): rnn for r in range(replicates)},
                       **{("lstm", r): lstm for r in range(replicates)}}, LENGTHS)
    result = palindrome_claims(table, longest(table, ["optimizer", "model", "hidden_dim"]),
                               {"pivot": 10}, 0.95, 0.05)
    return [c["verdict"] for c in result["claims"]]


def test_e15_verdicts():
    seed = e15_verdicts([True, True, True, False, False, False], [True] * 6)
    assert seed == [HELD, HELD]
    # the LSTM no better than the RNN: the second claim fails on both comparisons
    assert e15_verdicts([True, True, True, False, False, False],
                        [True, True, True, False, False, False]) == [HELD, NOT_HELD]
    # the RNN fine everywhere: it does not degrade
    assert e15_verdicts([True] * 6, [True] * 6)[0] == NOT_HELD
    # 3 replicates: the paired test cannot reject, the rate beyond the pivot still can
    table = run_table({**{("rnn", r): [True, True, True, False, False, False] for r in range(3)},
                       **{("lstm", r): [True] * 6 for r in range(3)}}, LENGTHS)
    claims = palindrome_claims(table, longest(table, ["optimizer", "model", "hidden_dim"]),
                               {"pivot": 10}, 0.95, 0.05)["claims"]
    assert claims[1]["untestable"] == 1 and claims[1]["verdict"] == HELD
    assert "too few for a paired test" in claims[1]["measured"]


def test_e16_pairs_each_run_with_the_same_network_under_adam():
    lengths = [5, 10, 15]
    adam = run_table({("rnn", r): [True, True, r < 3] for r in range(5)}, lengths)
    good = run_table({("rnn", r): [True, r < 2, False] for r in range(5)}, lengths, "rmsprop")
    result = more_reliable(adam, good, 0.95, 0.05)
    assert result["pairs"]["rnn"]["adam_only"] == 6 and result["pairs"]["rnn"]["rmsprop_only"] == 0
    assert result["pooled"]["adam"]["successes"] == 13 and result["pooled"]["pairs"] == 15
    assert result["claims"][0]["verdict"] == HELD
    assert result["claims"][0]["claim"] == "Adam converges more reliably than RMSprop"
    # converged at the same steps where both did (run_table's steps follow the length)
    assert result["claims"][1]["verdict"] == NOT_HELD
    faster = good.assign(converged_at=good["converged_at"] * 3)
    assert more_reliable(adam, faster, 0.95, 0.05)["claims"][1]["verdict"] == HELD
    # the reverse: RMSprop converges where Adam does not
    assert more_reliable(good.assign(optimizer="adam"), adam.assign(optimizer="rmsprop"),
                         0.95, 0.05)["claims"][0]["verdict"] == NOT_HELD
    # too few discordant pairs (2: the test's smallest p is 1/4)
    few = run_table({("rnn", r): [True, True, r < 2] for r in range(5)}, lengths, "rmsprop")
    assert more_reliable(few.assign(optimizer="adam"), adam.assign(optimizer="rmsprop"),
                         0.95, 0.05)["claims"][0]["verdict"] == UNTESTABLE


def optimizer_runs(scores: dict[str, dict[float, list[float]]]) -> pd.DataFrame:
    return pd.DataFrame([
        {"optimizer": name, "model": "rnn", "length": 8, "hidden_dim": 8, "lr": lr,
         "replicate": r, "converged": score > 0.9, "converged_at": 100 if score > 0.9 else None,
         "score": score, "diverged": False}
        for name, grid in scores.items() for lr, values in grid.items()
        for r, score in enumerate(values)])


def test_e13_compares_each_optimizer_at_its_best_learning_rate():
    table = optimizer_runs({
        "adam": {1e-3: [0.5] * 5, 1e-2: [0.91, 0.92, 0.95, 0.96, 0.93]},
        "rmsprop": {1e-3: [0.8, 0.85, 0.82, 0.81, 0.84], 1e-2: [0.3] * 5},
        "sgd_nesterov": {1e-3: [0.1] * 5, 1e-2: [0.2] * 5}})
    rates = rate_scores(table)
    best = rates[rates["best"]].set_index("optimizer")["lr"]
    assert best.to_dict() == {"adam": 1e-2, "rmsprop": 1e-3, "sgd_nesterov": 1e-2}
    result = optimizer_claims(table, rates, 0.05)
    assert result["claims"][0]["verdict"] == HELD and result["claims"][0]["tested"] == 2
    assert result["best"]["adam"]["converged"] == 5
    # an optimizer better than Adam at its own best rate: partly held
    table = optimizer_runs({"adam": {1e-2: [0.9] * 5}, "adagrad": {1e-1: [0.95] * 5},
                            "sgd_nesterov": {1e-2: [0.2] * 5}})
    assert optimizer_claims(table, rate_scores(table), 0.05)["claims"][0]["verdict"] == PARTLY
    # a tie in the grid goes to the smaller learning rate
    tie = rate_scores(optimizer_runs({"adam": {1e-3: [0.5] * 3, 1e-2: [0.5] * 3}}))
    assert tie.loc[tie["best"], "lr"].tolist() == [1e-3]
    # 4 replicates: not testable
    few = optimizer_runs({"adam": {1e-2: [0.9] * 4}, "rmsprop": {1e-2: [0.1] * 4}})
    assert optimizer_claims(few, rate_scores(few), 0.05)["claims"][0]["verdict"] == UNTESTABLE


def test_e16_needs_e15_and_pairs_only_with_its_runs():
    import yaml

    from rnnstudy.config import ConfigError
    from rnnstudy.experiments import BY_ID

    from conftest import ROOT

    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    shards = BY_ID["e16_rmsprop_adam"].shards
    names = [name for name, _ in shards(config)]
    assert names == [f"{m}-t{t}" for m in ("rnn", "lstm")
                     for t in config["experiments"]["e15_palindromes"]["lengths"]]
    params = dict(shards(config))["rnn-t5"]
    e15 = dict(BY_ID["e15_palindromes"].shards(config))["rnn-t5"]
    assert params["section"] == e15["section"] and params["optimizer"] == "rmsprop"
    for change, refusal in (({"lengths": [7]}, r"e16_rmsprop_adam.lengths': \[7\] not in"),
                            ({"models": ["ugrnn"]}, r"e16_rmsprop_adam.models': \['ugrnn'\] not"),
                            ({"optimizer": "adam"}, "E15 already trains with adam")):
        bad = {**config, "experiments": {**config["experiments"], "e16_rmsprop_adam": {
            **config["experiments"]["e16_rmsprop_adam"], **change}}}
        with pytest.raises(ConfigError, match=refusal):
            shards(bad)
    alone = {**config, "experiments": {"e16_rmsprop_adam":
                                       config["experiments"]["e16_rmsprop_adam"]}}
    with pytest.raises(ConfigError, match="needs experiments.e15_palindromes"):
        shards(alone)


def test_the_exact_mcnemar_test_known_answers():
    from rnnstudy.claims.stats import paired_more_often

    assert paired_more_often(5, 0) == pytest.approx(1 / 32)  # all 5 discordant pairs for a
    assert paired_more_often(3, 1) == pytest.approx(5 / 16)  # P(X ≥ 3), X ~ Bin(4, 1/2)
    assert paired_more_often(0, 4) == 1.0 and paired_more_often(0, 0) == 1.0
