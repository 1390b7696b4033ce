"""The count / first / xor sentiment datasets (seed 001 §III.A; docs/experiments.md, "Shared
definitions")."""
import struct

import numpy as np
import pytest
from scipy import stats

from rnnstudy.data.sentiment import (
    SPLITS,
    TASKS,
    DatasetError,
    DrawnSplit,
    Vocabulary,
    label,
    label_count,
    label_first,
    label_xor,
    load_dataset,
    save_dataset,
    sentiment_dataset,
    summarize,
)

VOCAB = Vocabulary()
# Word ids of the default vocabulary: 0-5 stop, 6-7 positive, 8-9 negative.
S, P, N = 0, 6, 8
SMALL = {"train": 800, "validation": 200, "test": 300}


def sentiments(rows):
    return VOCAB.sentiment()[np.array(rows, dtype=np.int64)]


# -- vocabulary ------------------------------------------------------------------------------

def test_default_vocabulary_is_the_seeds():
    assert VOCAB.size == 10
    assert VOCAB.sentiment().tolist() == [0] * 6 + [1] * 2 + [-1] * 2


# -- labelling functions ---------------------------------------------------------------------

COUNT_CASES = [
    ([6, 8, 6, 0, 1], 1, True),        # 2 positive vs 1 negative
    ([8, 9, 7, 0, 0], 0, True),        # 1 positive vs 2 negative
    ([9, 0, 0, 0, 0], 0, True),
    ([0, 1, 2, 3, 7], 1, True),
    ([6, 8, 0, 0, 0], None, False),    # tie 1-1
    ([6, 7, 8, 9, 0], None, False),    # tie 2-2
    ([0, 1, 2, 3, 4], None, False),    # tie 0-0
]

FIRST_CASES = [
    ([0, 1, 2, 8, 6], 0, True),        # leading stop words, then negative
    ([5, 5, 7, 9, 9], 1, True),        # leading stop words, then positive (outnumbered)
    ([9, 6, 6, 6, 6], 0, True),
    ([6, 0, 0, 0, 0], 1, True),
    ([0, 0, 0, 0, 9], 0, True),        # the only non-stop word is last
    ([0, 1, 2, 3, 4], None, False),    # no non-stop word
    ([5, 5, 5, 5, 5], None, False),
]

XOR_CASES = [
    ([6, 7, 0, 0, 0], 0, True),        # same (+, +)
    ([8, 9, 0, 0, 0], 0, True),        # same (-, -)
    ([6, 8, 0, 0, 0], 1, True),        # different (+, -)
    ([0, 9, 3, 7, 0], 1, True),        # different (-, +) behind stop words
    ([6, 0, 6, 8, 8], 0, True),        # only the first two non-stop words count
    ([6, 0, 9, 7, 7], 1, True),
    ([0, 6, 0, 0, 0], None, False),    # only one non-stop word
    ([0, 0, 0, 0, 9], None, False),
    ([0, 1, 2, 3, 4], None, False),    # none
]


@pytest.mark.parametrize("labeller, task, cases", [
    (label_count, "count", COUNT_CASES),
    (label_first, "first", FIRST_CASES),
    (label_xor, "xor", XOR_CASES),
])
def test_labelling_functions_on_hand_written_sequences(labeller, task, cases):
    rows = [tokens for tokens, _, _ in cases]
    want_valid = np.array([valid for _, _, valid in cases])
    labels, valid = labeller(sentiments(rows))
    assert valid.tolist() == want_valid.tolist()
    for (tokens, want, ok), got in zip(cases, labels):
        if ok:
            assert got == want, (task, tokens)
    # label() looks the sentiments up itself and must agree.
    labels2, valid2 = label(task, np.array(rows, dtype=np.uint8), VOCAB)
    assert valid2.tolist() == want_valid.tolist()
    assert labels2[want_valid].tolist() == labels[want_valid].tolist()


def test_labels_do_not_depend_on_which_positive_or_negative_word():
    # Word 6 and 7 are interchangeable, as are 8 and 9.
    a = np.array([[0, 6, 8, 0, 6], [0, 0, 8, 6, 0]], dtype=np.uint8)
    b = np.where(a == 6, 7, np.where(a == 8, 9, a)).astype(np.uint8)
    for task in TASKS:
        la, va = label(task, a, VOCAB)
        lb, vb = label(task, b, VOCAB)
        assert va.tolist() == vb.tolist()
        assert la[va].tolist() == lb[vb].tolist()


def brute_force(task, row):
    s = VOCAB.sentiment()[row].tolist()
    nonstop = [x for x in s if x != 0]
    if task == "count":
        return (sum(s) > 0, sum(s) != 0)
    if task == "first":
        return (bool(nonstop) and nonstop[0] > 0, len(nonstop) >= 1)
    return (len(nonstop) >= 2 and nonstop[0] != nonstop[1], len(nonstop) >= 2)


@pytest.mark.parametrize("task", TASKS)
def test_labelling_matches_a_brute_force_reading_of_the_definition(task):
    rows = np.random.default_rng(7).integers(0, 10, size=(500, 6), dtype=np.uint8)
    labels, valid = label(task, rows, VOCAB)
    for row, got_label, got_valid in zip(rows, labels, valid):
        want_label, want_valid = brute_force(task, row)
        assert bool(got_valid) == want_valid, row
        if want_valid:
            assert int(got_label) == int(want_label), row


# -- dataset generation ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    return {task: sentiment_dataset(task, 10, SMALL, VOCAB, 123) for task in TASKS}


@pytest.mark.parametrize("task", TASKS)
def test_split_sizes_range_and_length(small, task):
    splits = small[task]
    assert set(splits) == set(SPLITS)
    for name in SPLITS:
        split = splits[name]
        assert split.tokens.shape == (SMALL[name], 10)
        assert split.labels.shape == (SMALL[name],)
        assert split.tokens.dtype == np.uint8
        # The ten words and no other (uint8: nothing below 0), all of them in a few hundred
        # uniform draws.
        assert set(np.unique(split.tokens).tolist()) == set(range(10))
        assert set(np.unique(split.labels).tolist()) == {0, 1}


@pytest.mark.parametrize("task", TASKS)
def test_every_kept_sequence_is_valid_and_correctly_labelled(small, task):
    for split in small[task].values():
        labels, valid = label(task, split.tokens, VOCAB)
        assert valid.all()
        np.testing.assert_array_equal(labels, split.labels)


@pytest.mark.parametrize("task", TASKS)
def test_redraw_counts_match_the_invalid_probability(task):
    # P(invalid) of a uniform length-10 sequence: count (tie) sum_k 10!/(k!k!(10-2k)!) .2^2k
    # .6^(10-2k) = 0.19834; first 0.6^10 = 0.00605; xor 0.6^10 + 10*.4*.6^9 = 0.04636.
    # Enough draws (≈ 80 redraws expected for `first`) that no redraw at all, or the rate
    # of another task, is far outside what a binomial count allows.
    p = {"count": 0.19834, "first": 0.00605, "xor": 0.04636}[task]
    splits = sentiment_dataset(task, 10, {"train": 9000, "validation": 2000, "test": 2000},
                               VOCAB, 11)
    redrawn = sum(s.redrawn for s in splits.values())
    drawn = sum(len(s.labels) for s in splits.values()) + redrawn
    assert redrawn > 0
    assert stats.binomtest(redrawn, drawn, p).pvalue > 1e-3, (redrawn, drawn, p)


def test_seed_sizes_and_label_balance():
    sizes = {"train": 8000, "validation": 2000, "test": 3000}
    splits = sentiment_dataset("xor", 10, sizes, VOCAB, 2024)
    for name in SPLITS:
        split = splits[name]
        assert split.tokens.shape == (sizes[name], 10)
        labels, valid = label("xor", split.tokens, VOCAB)
        assert valid.all()
        np.testing.assert_array_equal(labels, split.labels)
    assert 0.45 <= splits["train"].labels.mean() <= 0.55


@pytest.mark.parametrize("task", TASKS)
def test_label_balance_of_8000_sequences(task):
    splits = sentiment_dataset(task, 10, {"train": 8000, "validation": 1, "test": 1}, VOCAB, 5)
    assert 0.45 <= splits["train"].labels.mean() <= 0.55


@pytest.mark.parametrize("task", TASKS)
def test_determinism(small, task):
    again = sentiment_dataset(task, 10, SMALL, VOCAB, 123)
    other = sentiment_dataset(task, 10, SMALL, VOCAB, 124)
    for name in SPLITS:
        np.testing.assert_array_equal(again[name].tokens, small[task][name].tokens)
        np.testing.assert_array_equal(again[name].labels, small[task][name].labels)
        assert again[name].redrawn == small[task][name].redrawn
        assert not np.array_equal(other[name].tokens, small[task][name].tokens)


def test_splits_differ_from_each_other(small):
    # Each split has its own seed, so they are not copies (or prefixes) of each other.
    splits = small["first"]
    assert not np.array_equal(splits["validation"].tokens[:200], splits["test"].tokens[:200])
    assert not np.array_equal(splits["train"].tokens[:200], splits["validation"].tokens)


def test_different_tasks_and_lengths_give_different_draws(small):
    assert not np.array_equal(small["first"]["train"].tokens, small["xor"]["train"].tokens)
    longer = sentiment_dataset("first", 12, SMALL, VOCAB, 123)
    assert longer["train"].tokens.shape == (800, 12)
    assert not np.array_equal(longer["train"].tokens[:, :10], small["first"]["train"].tokens)


def test_resizing_train_leaves_validation_and_test(small):
    resized = sentiment_dataset("count", 10, {**SMALL, "train": 500}, VOCAB, 123)
    assert resized["train"].tokens.shape == (500, 10)
    for name in ("validation", "test"):
        np.testing.assert_array_equal(resized[name].tokens, small["count"][name].tokens)
        np.testing.assert_array_equal(resized[name].labels, small["count"][name].labels)


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="unknown task"):
        sentiment_dataset("parity", 10, SMALL, VOCAB, 0)


# -- files -----------------------------------------------------------------------------------

@pytest.fixture
def saved(tmp_path, small):
    path = tmp_path / "sub" / "first.npz"
    save_dataset(path, small["first"], VOCAB)
    return path


def test_save_load_round_trip(saved, small):
    data = load_dataset(saved)
    assert data.vocabulary == VOCAB
    assert set(data.splits) == set(SPLITS)
    for name in SPLITS:
        tokens, labels = data.splits[name]
        np.testing.assert_array_equal(tokens, small["first"][name].tokens)
        np.testing.assert_array_equal(labels, small["first"][name].labels)
        assert tokens.dtype == np.uint8
    # No temporary file is left beside the dataset.
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_round_trip_keeps_a_non_default_vocabulary(tmp_path):
    vocab = Vocabulary(stop=3, positive=1, negative=1)
    splits = sentiment_dataset("count", 7, {"train": 30, "validation": 10, "test": 10}, vocab, 1)
    assert all(s.tokens.max() < 5 for s in splits.values())
    save_dataset(tmp_path / "d.npz", splits, vocab)
    assert load_dataset(tmp_path / "d.npz").vocabulary == vocab


def assert_refused(path):
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert str(path) in str(error.value)


def test_missing_file_is_refused_by_name(tmp_path):
    assert_refused(tmp_path / "nope.npz")


def test_truncated_file_is_refused_by_name(saved, tmp_path):
    data = saved.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: len(data) // 2])
    assert_refused(cut)


def test_empty_file_is_refused_by_name(tmp_path):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    assert_refused(empty)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_are_refused_by_name(tmp_path, seed):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(np.random.default_rng(seed).bytes(4096))
    assert_refused(junk)


def test_zip_with_wrong_arrays_is_refused_by_name(tmp_path, small):
    path = tmp_path / "wrong.npz"
    np.savez(path, vocabulary=np.array([6, 2, 2]), train_tokens=small["first"]["train"].tokens)
    assert_refused(path)


def test_inconsistent_split_is_refused_by_name(tmp_path, small):
    bad = dict(small["first"])
    bad["test"] = DrawnSplit(bad["test"].tokens, bad["test"].labels[:-1], 0)  # one label short
    path = tmp_path / "inconsistent.npz"
    save_dataset(path, bad, VOCAB)
    assert_refused(path)


def test_out_of_vocabulary_token_is_refused_by_name(tmp_path, small):
    bad = dict(small["first"])
    tokens = bad["train"].tokens.copy()
    tokens[0, 0] = 10
    bad["train"] = DrawnSplit(tokens, bad["train"].labels, 0)
    path = tmp_path / "oov.npz"
    save_dataset(path, bad, VOCAB)
    assert_refused(path)


def test_npy_file_instead_of_npz_is_refused_by_name(tmp_path):
    path = tmp_path / "array.npz"
    with open(path, "wb") as f:
        np.save(f, np.arange(5))
    assert_refused(path)


def test_corrupt_zip_header_is_refused_by_name(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    central = data.find(b"PK\x01\x02")  # first central-directory entry
    assert central > 0
    data[central + 10:central + 12] = struct.pack("<H", 99)  # compression method 99
    path = tmp_path / "corrupt.npz"
    path.write_bytes(bytes(data))
    assert_refused(path)


# -- summary ---------------------------------------------------------------------------------

def test_summarize_on_hand_built_splits():
    t = lambda rows: np.array(rows, dtype=np.uint8)  # noqa: E731
    splits = {
        "train": DrawnSplit(t([[6, 0], [8, 0], [6, 1], [6, 0]]),
                            np.array([1, 0, 1, 1], np.uint8), 3),
        "validation": DrawnSplit(t([[6, 0], [9, 9]]), np.array([1, 0], np.uint8), 0),
        "test": DrawnSplit(t([[7, 7], [7, 7], [8, 0]]), np.array([1, 1, 0], np.uint8), 5),
    }
    table = summarize("first", splits)
    assert table["split"].tolist() == ["train", "validation", "test"]
    assert (table["task"] == "first").all()
    assert table["sequences"].tolist() == [4, 2, 3]
    assert table["length"].tolist() == [2, 2, 2]
    assert table["positive"].tolist() == [3, 1, 2]
    assert table["negative"].tolist() == [1, 1, 1]
    np.testing.assert_allclose(table["positive_fraction"], [0.75, 0.5, 2 / 3])
    assert table["redrawn"].tolist() == [3, 0, 5]
    assert table["distinct"].tolist() == [3, 2, 2]
    assert table["also_in_train"].tolist() == [0, 1, 1]


def test_summarize_on_a_generated_dataset(small):
    table = summarize("xor", small["xor"]).set_index("split")
    assert len(table) == 3
    for name in SPLITS:
        split = small["xor"][name]
        assert table.loc[name, "sequences"] == SMALL[name]
        assert table.loc[name, "positive"] + table.loc[name, "negative"] == SMALL[name]
        assert table.loc[name, "positive"] == int(split.labels.sum())
        assert table.loc[name, "positive_fraction"] == pytest.approx(split.labels.mean())
        assert table.loc[name, "redrawn"] == split.redrawn
