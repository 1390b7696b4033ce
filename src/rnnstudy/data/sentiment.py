"""The count / first / xor sentiment datasets of seed 001 §III.A.

Words are integers: the first `stop` ids are stop words, then `positive` positive words, then
`negative` negative words (default 6 + 2 + 2 = 10). Sequences are drawn uniformly; a sequence
that its task cannot label (a tie for count, no non-stop word for first, fewer than two for
xor) is redrawn. Label 1 is positive, 0 negative.
"""
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..atomic import atomic_path
from ..errors import PipelineError
from ..seeding import derive_seed

TASKS = ("count", "first", "xor")
SPLITS = ("train", "validation", "test")


class DatasetError(PipelineError):
    """A dataset file that is missing, truncated or not what it claims to be."""


@dataclass(frozen=True)
class Vocabulary:
    stop: int = 6
    positive: int = 2
    negative: int = 2

    @property
    def size(self) -> int:
        return self.stop + self.positive + self.negative

    def sentiment(self) -> np.ndarray:
        """Per word: 0 stop, +1 positive, -1 negative."""
        return np.array([0] * self.stop + [1] * self.positive + [-1] * self.negative, np.int8)


def label_count(sentiment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positive iff more positive than negative words. Returns (labels, valid); ties are invalid."""
    balance = sentiment.sum(axis=1, dtype=np.int64)
    return (balance > 0).astype(np.uint8), balance != 0


def _nth_nonstop(sentiment: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentiment of each row's n-th non-stop word (n = 1, 2, ...) and whether it exists."""
    nonstop = sentiment != 0
    seen = np.cumsum(nonstop, axis=1)
    at = np.argmax((seen == n) & nonstop, axis=1)
    exists = seen[:, -1] >= n
    return sentiment[np.arange(len(sentiment)), at], exists


def label_first(sentiment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sentiment of the first non-stop word; rows without one are invalid."""
    first, valid = _nth_nonstop(sentiment, 1)
    return (first > 0).astype(np.uint8), valid


def label_xor(sentiment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positive iff the first two non-stop words differ in sentiment; fewer than two is invalid."""
    first, has_first = _nth_nonstop(sentiment, 1)
    second, has_second = _nth_nonstop(sentiment, 2)
    return (first != second).astype(np.uint8), has_first & has_second


LABELLERS = {"count": label_count, "first": label_first, "xor": label_xor}


def label(task: str, tokens: np.ndarray, vocabulary: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Labels and validity of token sequences [n, length] under `task`."""
    return LABELLERS[task](vocabulary.sentiment()[tokens])


@dataclass
class DrawnSplit:
    tokens: np.ndarray  # [n, length] uint8 word ids
    labels: np.ndarray  # [n] uint8, 1 = positive
    redrawn: int  # sequences drawn and rejected by the redraw rule


def draw_split(task: str, n: int, length: int, vocabulary: Vocabulary, seed: int) -> DrawnSplit:
    """`n` labelled sequences, redrawing those the task cannot label."""
    rng = np.random.default_rng(seed)
    kept_tokens, kept_labels, kept, redrawn = [], [], 0, 0
    while kept < n:
        want = n - kept
        tokens = rng.integers(0, vocabulary.size, size=(want, length), dtype=np.uint8)
        labels, valid = label(task, tokens, vocabulary)
        kept_tokens.append(tokens[valid])
        kept_labels.append(labels[valid])
        kept += int(valid.sum())
        redrawn += int((~valid).sum())
    return DrawnSplit(np.concatenate(kept_tokens), np.concatenate(kept_labels), redrawn)


def sentiment_dataset(task: str, length: int, sizes: dict[str, int], vocabulary: Vocabulary,
                      seed: int) -> dict[str, DrawnSplit]:
    """All splits of one task. Each split has its own seed, so resizing one leaves the others."""
    if task not in LABELLERS:
        raise ValueError(f"unknown task {task!r}; known: {', '.join(TASKS)}")
    return {
        split: draw_split(task, sizes[split], length, vocabulary,
                          derive_seed(seed, "dataset", task, length, vocabulary.size, split))
        for split in SPLITS
    }


def summarize(task: str, splits: dict[str, DrawnSplit]) -> pd.DataFrame:
    """One row per split: size, label balance, redraws and repeated sequences."""
    train = {row.tobytes() for row in splits["train"].tokens}
    rows = []
    for name, split in splits.items():
        as_bytes = [row.tobytes() for row in split.tokens]
        rows.append({
            "task": task,
            "split": name,
            "sequences": len(split.labels),
            "length": split.tokens.shape[1],
            "positive": int(split.labels.sum()),
            "negative": int(len(split.labels) - split.labels.sum()),
            "positive_fraction": float(split.labels.mean()),
            "redrawn": split.redrawn,
            "distinct": len(set(as_bytes)),
            "also_in_train": 0 if name == "train" else sum(b in train for b in as_bytes),
        })
    return pd.DataFrame(rows)


def save_dataset(path, splits: dict[str, DrawnSplit], vocabulary: Vocabulary) -> None:
    arrays = {"vocabulary": np.array([vocabulary.stop, vocabulary.positive, vocabulary.negative])}
    for name, split in splits.items():
        arrays[f"{name}_tokens"] = split.tokens
        arrays[f"{name}_labels"] = split.labels
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)


@dataclass
class SentimentData:
    vocabulary: Vocabulary
    splits: dict[str, tuple[np.ndarray, np.ndarray]]  # split -> (tokens [n, T], labels [n])


def load_dataset(path) -> SentimentData:
    """Read a dataset file, refusing a missing, truncated or inconsistent one by name."""
    try:
        loaded = np.load(path)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive of arrays")
        with loaded as archive:
            arrays = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise DatasetError(f"dataset file {path} does not exist; rerun the workflow to make it")
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, KeyError,
            NotImplementedError) as error:
        raise DatasetError(f"dataset file {path} is corrupt or truncated ({error}); "
                           "delete it and rerun the workflow") from None
    expected = {"vocabulary"} | {f"{s}_{k}" for s in SPLITS for k in ("tokens", "labels")}
    if set(arrays) != expected:
        raise DatasetError(f"dataset file {path} has arrays {sorted(arrays)}, "
                           f"expected {sorted(expected)}")
    vocabulary = Vocabulary(*(int(v) for v in arrays["vocabulary"]))
    splits = {}
    for split in SPLITS:
        tokens, labels = arrays[f"{split}_tokens"], arrays[f"{split}_labels"]
        if (tokens.ndim != 2 or labels.shape != (len(tokens),)
                or (tokens.size and tokens.max() >= vocabulary.size)
                or (labels.size and labels.max() > 1)):
            raise DatasetError(f"dataset file {path}: split {split!r} is inconsistent "
                               f"(tokens {tokens.shape}, labels {labels.shape})")
        splits[split] = (tokens, labels)
    return SentimentData(vocabulary, splits)
