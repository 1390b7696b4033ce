"""The character corpus of E12 and E17: a generated text whose entropy rate is known
exactly (default), or a text file (data/text_file.py).

The generated source is a random sparse Markov chain of order k over a readable alphabet:
each context (the last k characters) has `favourites` next characters, drawn without
replacement with probabilities following English letter frequencies (so that samples have
many spaces and vowels), with Dirichlet(concentration) weights; with probability `escape`
the next character is instead uniform over the alphabet, which makes every context
reachable from every other (the chain is irreducible and aperiodic, its stationary
distribution unique). The text starts in a context drawn from that stationary distribution,
so the whole text is a stationary process: the entropy rate

    H = Σ_c π(c) · H(next | c)   bits per character

is the expected log-loss of the true source per character, the floor no model can beat in
expectation. π is computed in float64 by power iteration of the lazy chain ½(I + P) (same
stationary distribution, aperiodic whatever P is) until it stops changing.

One rule writes results/data/corpus.txt (UTF-8) and results/data/corpus.json: alphabet,
entropy_rate_bits (null for a file), the parts' character bounds [start, stop), the text's
sha256, and the source: its settings and, under "table", its transition table in sparse
form (MarkovSource.from_sparse), from which `read_corpus` rebuilds it.
"""
import bisect
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..atomic import write_text
from ..seeding import derive_seed
from .text_file import PARTS, CorpusError, sha256_of

# Approximate English character frequencies (per mille of running text, space included):
# only the shape of the favourites' draw, so that generated text looks like text.
ENGLISH = {" ": 180, "e": 102, "t": 75, "a": 65, "o": 62, "i": 57, "n": 57, "s": 53,
           "h": 50, "r": 49, "d": 35, "l": 33, "u": 23, "c": 22, "m": 20, "w": 19, "f": 18,
           "g": 16, "y": 16, "p": 15, "b": 12, ".": 10, ",": 10, "v": 8, "k": 6, "'": 3,
           "!": 1, "?": 1, "j": 1, "x": 1, "q": 1, "z": 1}
# Characters not listed weigh as the rarest listed ones.
OTHER = 1
STATIONARY_TOLERANCE = 1e-15  # largest change of any π(c) between iterations at the end
STATIONARY_MAX_ITERATIONS = 1_000_000


@dataclass
class MarkovSource:
    """An order-k Markov chain over `alphabet`: table[c, x] = P(next = x | context c), where
    the context index c = Σ_j id(char_{t−k+j}) · V^(k−1−j) (the oldest character most
    significant)."""
    alphabet: str
    order: int
    table: np.ndarray  # [V^k, V] float64, rows sum to 1
    _stationary: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.alphabet)

    @property
    def contexts(self) -> int:
        return self.size ** self.order

    def successors(self) -> np.ndarray:
        """[V^k, V]: the context that follows context c when x comes next."""
        return (np.arange(self.contexts)[:, None] * self.size
                + np.arange(self.size)[None, :]) % self.contexts

    def stationary(self) -> np.ndarray:
        """π [V^k], the stationary distribution of the contexts (float64)."""
        if self._stationary is None:
            successors = self.successors().ravel()
            pi = np.full(self.contexts, 1.0 / self.contexts)
            for _ in range(STATIONARY_MAX_ITERATIONS):
                moved = np.bincount(successors, weights=(pi[:, None] * self.table).ravel(),
                                    minlength=self.contexts)
                new = 0.5 * (pi + moved)
                new /= new.sum()
                change = np.abs(new - pi).max()
                pi = new
                if change <= STATIONARY_TOLERANCE:
                    break
            else:
                raise RuntimeError("the stationary distribution did not converge")
            self._stationary = pi
        return self._stationary

    def entropy_rate(self) -> float:
        """Σ_c π(c) H(next | c), bits per character."""
        p = self.table
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, -p * np.log2(p), 0.0)
        return float(self.stationary() @ terms.sum(axis=1))

    def ids(self, text: str) -> np.ndarray:
        index = {ch: i for i, ch in enumerate(self.alphabet)}
        try:
            return np.fromiter((index[ch] for ch in text), np.int64, len(text))
        except KeyError as error:
            raise ValueError(f"character {error.args[0]!r} is not in the source's "
                             "alphabet") from None

    def log2_prob(self, text: str) -> np.ndarray:
        """Per character, log2 P(char | the characters before it) under the source. The first
        k characters (no full context yet) are scored under the stationary distribution:
        char m (m < k) gets log2 π(c_1 … c_m) − log2 π(c_1 … c_{m−1}), π's marginals over
        the first m context positions. So the sum is the log-probability of the whole text."""
        ids = self.ids(text)
        k, v = self.order, self.size
        out = np.empty(len(ids))
        joint = self.stationary().reshape((v,) * k)
        previous = 0.0
        for m in range(min(k, len(ids))):
            marginal = joint.sum(axis=tuple(range(m + 1, k)))  # [V]^(m+1)
            logp = np.log2(marginal[tuple(ids[:m + 1])])
            out[m] = logp - previous
            previous = logp
        if len(ids) > k:
            context = np.zeros(len(ids) - k, np.int64)
            for j in range(k):
                context = context * v + ids[j:len(ids) - k + j]
            with np.errstate(divide="ignore"):
                out[k:] = np.log2(self.table[context, ids[k:]])
        return out

    def sample(self, length: int, generator: np.random.Generator) -> str:
        """`length` characters of the stationary chain: the first k are a context drawn
        from π, each next one from its context's row."""
        k, v = self.order, self.size
        start = int(generator.choice(self.contexts, p=self.stationary()))
        first = [(start // v ** (k - 1 - j)) % v for j in range(k)]
        cumulative = np.cumsum(self.table, axis=1).tolist()
        uniforms = generator.random(max(length - k, 0)).tolist()
        ids, context, last = first[:length], start, v - 1
        for u in uniforms:
            x = min(bisect.bisect_right(cumulative[context], u), last)
            ids.append(x)
            context = (context * v + x) % self.contexts
        return "".join(self.alphabet[i] for i in ids)

    # -- sparse form, as stored in corpus.json -------------------------------------------

    @classmethod
    def from_sparse(cls, alphabet: str, order: int, escape: float, favourites: list,
                    weights: list) -> "MarkovSource":
        """The chain whose context c moves to favourites[c][j] with probability
        (1 − escape)·weights[c][j] + escape / V and to any other character with escape / V
        (how the random source is drawn and how corpus.json stores it)."""
        v = len(alphabet)
        table = np.full((v ** order, v), escape / v)
        for c, (chosen, w) in enumerate(zip(favourites, weights, strict=True)):
            table[c, chosen] += (1 - escape) * np.asarray(w, float)
        return cls(alphabet, order, table)


def random_markov_source(seed: int, alphabet: str, order: int, favourites: int,
                         concentration: float, escape: float) -> tuple[MarkovSource, dict]:
    """The random sparse chain of the module docstring, drawn from the run's seed and its
    own settings, and its sparse form (MarkovSource.from_sparse's escape, favourites,
    weights)."""
    generator = np.random.default_rng(derive_seed(seed, "corpus-markov", alphabet, order,
                                                  favourites, concentration, escape))
    v = len(alphabet)
    contexts = v ** order
    base = np.log([ENGLISH.get(ch, OTHER) for ch in alphabet])
    # favourites without replacement ∝ base: the top `favourites` of log-weight + Gumbel noise
    keys = base[None, :] + generator.gumbel(size=(contexts, v))
    chosen = np.argsort(-keys, axis=1, kind="stable")[:, :favourites]
    weights = generator.dirichlet(np.full(favourites, concentration), size=contexts)
    sparse = {"escape": escape, "favourites": chosen.tolist(), "weights": weights.tolist()}
    return MarkovSource.from_sparse(alphabet, order, **sparse), sparse


# -- the corpus files ---------------------------------------------------------------------

@dataclass
class Corpus:
    text: str
    alphabet: str
    splits: dict[str, tuple[int, int]]  # part → [start, stop) character offsets
    entropy_rate: float | None  # bits per character (None for a file)
    source: MarkovSource | None
    description: dict = field(default_factory=dict, repr=False)  # corpus.json as read

    def part(self, name: str) -> str:
        start, stop = self.splits[name]
        return self.text[start:stop]

    def ids(self, part: str | None = None) -> torch.Tensor:
        """Character ids (positions in `alphabet`) of a part, or of the whole text: int64."""
        index = {ch: i for i, ch in enumerate(self.alphabet)}
        text = self.text if part is None else self.part(part)
        return torch.from_numpy(np.fromiter((index[ch] for ch in text), np.int64, len(text)))

    def source_bits(self) -> dict[str, float] | None:
        """Per part, the true source's mean −log2 P per character of that very text (the
        floor on this sample; its expectation is the entropy rate)."""
        return self.description.get("source_bits")


def split_bounds(sizes: dict) -> dict[str, tuple[int, int]]:
    """Contiguous, non-overlapping parts in the order train, validation, test."""
    bounds, start = {}, 0
    for part in PARTS:
        bounds[part] = (start, start + sizes[part])
        start += sizes[part]
    return bounds


def build_corpus(settings: dict, file_text: str | None = None) -> tuple[str, dict]:
    """The corpus text and its description (corpus.json) from the corpus rule's params
    (text_file.corpus_settings); `file_text` is the checked text of a file source."""
    sizes = {p: settings[p] for p in PARTS}
    total = sum(sizes.values())
    bounds = split_bounds(sizes)
    if settings["source"] == "markov":
        m = settings["markov"]
        source, sparse = random_markov_source(settings["seed"], m["alphabet"], m["order"],
                                              m["favourites"], m["concentration"],
                                              m["escape"])
        generator = np.random.default_rng(derive_seed(settings["seed"], "corpus-text",
                                                      total))
        text = source.sample(total, generator)
        logp = source.log2_prob(text)
        description = {
            "alphabet": source.alphabet, "entropy_rate_bits": source.entropy_rate(),
            "source_bits": {p: float(-logp[a:b].mean()) for p, (a, b) in bounds.items()},
            "source": {"kind": "markov", "seed": settings["seed"], **m, "table": sparse}}
    else:
        text = file_text[:total]
        description = {"alphabet": "".join(sorted(set(text))), "entropy_rate_bits": None,
                       "source_bits": None,
                       "source": {"kind": "file", "path": settings["path"],
                                  "url": settings["url"], "sha256": settings["sha256"],
                                  "file_characters": len(file_text)}}
    description = {**description, "characters": len(text),
                   "splits": {p: list(b) for p, b in bounds.items()},
                   "sha256": sha256_of(text.encode("utf-8"))}
    return text, description


def write_corpus(text_path, json_path, text: str, description: dict) -> None:
    write_text(text_path, text)
    write_text(json_path, json.dumps(description, indent=1, ensure_ascii=False) + "\n")


def text_path_of(json_path) -> Path:
    """corpus.txt beside corpus.json."""
    return Path(json_path).with_suffix(".txt")


def read_corpus(json_path) -> Corpus:
    """The corpus described by `json_path` (its text: the .txt beside it), checked against
    its description."""
    json_path = Path(json_path)
    try:
        description = json.loads(json_path.read_text(encoding="utf-8"))
        data = text_path_of(json_path).read_bytes()
    except FileNotFoundError as error:
        raise CorpusError(f"corpus file {error.filename} does not exist; rerun the workflow "
                          "to make it") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorpusError(f"corpus description {json_path} is damaged ({error}); delete "
                          "results/data/corpus.* and rerun the workflow") from None
    if sha256_of(data) != description.get("sha256"):
        raise CorpusError(f"corpus text {text_path_of(json_path)} does not match "
                          f"{json_path} (sha256 differs); delete results/data/corpus.* and "
                          "rerun the workflow")
    text = data.decode("utf-8")
    source = None
    spec = description["source"]
    if spec["kind"] == "markov":
        source = MarkovSource.from_sparse(description["alphabet"], spec["order"],
                                          **spec["table"])
    return Corpus(text, description["alphabet"],
                  {p: tuple(b) for p, b in description["splits"].items()},
                  description["entropy_rate_bits"], source, description)
