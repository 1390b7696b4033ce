"""The character corpus of E12 and E17: the Markov source's entropy rate on known answers and
on a long sample, its log-probabilities, contiguous parts, a real text file (the README) as
the corpus, and the refusals of a bad file (missing, wrong checksum, not UTF-8, too short),
at config time, in the fetch rule, and through Snakemake before any job."""
import copy
import itertools
import json
import math

import numpy as np
import pytest
import yaml

from rnnstudy.config import ConfigError, validate_config
from rnnstudy.data.corpus import (
    MarkovSource,
    build_corpus,
    random_markov_source,
    read_corpus,
    write_corpus,
)
from rnnstudy.data.text_file import CorpusError, corpus_settings, sha256_of
from rnnstudy.jobs.corpus import fetch_corpus, make_corpus

from conftest import snakemake
from helpers import ROOT, SCHEMA

SIZES = {"train": 6000, "validation": 1500, "test": 1500}


def h2(p: float) -> float:
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def config_with(corpus: dict) -> dict:
    return validate_config({"corpus": copy.deepcopy(corpus)}, SCHEMA)  # fills in place


# -- the Markov source ------------------------------------------------------------------------

def test_entropy_rate_of_an_iid_source_is_the_entropy_of_its_distribution():
    p = np.array([0.5, 0.25, 0.125, 0.125])
    for order in (1, 2):
        source = MarkovSource("abcd", order, np.tile(p, (4 ** order, 1)))
        assert source.entropy_rate() == pytest.approx(1.75, abs=1e-12)
        assert source.stationary().sum() == pytest.approx(1.0)


def test_a_deterministic_cycle_has_entropy_rate_zero_and_a_uniform_stationary_law():
    table = np.zeros((3, 3))
    table[0, 1] = table[1, 2] = table[2, 0] = 1.0  # a → b → c → a (periodic)
    source = MarkovSource("abc", 1, table)
    assert source.entropy_rate() == 0.0
    np.testing.assert_allclose(source.stationary(), 1 / 3, atol=1e-14)
    assert source.sample(7, np.random.default_rng(0)) in ("abcabca", "bcabcab", "cabcabc")


def test_a_two_state_chain_has_its_textbook_entropy_rate():
    p, q = 0.1, 0.3  # P(a → b), P(b → a)
    source = MarkovSource("ab", 1, np.array([[1 - p, p], [q, 1 - q]]))
    pi = np.array([q, p]) / (p + q)
    np.testing.assert_allclose(source.stationary(), pi, atol=1e-14)
    assert source.entropy_rate() == pytest.approx(pi[0] * h2(p) + pi[1] * h2(q), abs=1e-13)


def test_the_random_source_is_stationary_and_its_long_sample_has_the_entropy_rate():
    source, _ = random_markov_source(3, "abcdefghijklmnopqrstuvwxyz .,'!?", 2, 4, 1.0, 0.05)
    assert np.allclose(source.table.sum(axis=1), 1.0)
    assert ((source.table > 0.05 / 32 + 1e-12).sum(axis=1) <= 4).all()  # sparse: 4 favourites
    pi = source.stationary()
    moved = np.bincount(source.successors().ravel(),
                        weights=(pi[:, None] * source.table).ravel(), minlength=len(pi))
    np.testing.assert_allclose(moved, pi, atol=1e-14)  # π P = π
    rate = source.entropy_rate()
    assert 1.0 < rate < 3.0 < math.log2(32)
    text = source.sample(300_000, np.random.default_rng(1))
    assert text.count(" ") > len(text) / 20  # English-weighted favourites: spaces are common
    assert -source.log2_prob(text).mean() == pytest.approx(rate, abs=0.02)


def test_log2_prob_gives_every_string_its_probability_under_the_stationary_chain():
    """Over all strings of one length the probabilities sum to 1 (the first k characters
    scored under the stationary law), and each character's term is a conditional."""
    source, _ = random_markov_source(4, "xyz", 2, 2, 0.5, 0.1)
    total = sum(2.0 ** source.log2_prob("".join(s)).sum()
                for s in itertools.product("xyz", repeat=4))
    assert total == pytest.approx(1.0, abs=1e-12)
    logp = source.log2_prob("xyzzy")
    pi = source.stationary().reshape(3, 3)
    assert logp[0] == pytest.approx(math.log2(pi[0].sum()))  # P(x) = Σ π(x, ·)
    assert logp[1] == pytest.approx(math.log2(pi[0, 1] / pi[0].sum()))  # P(y | x)
    assert logp[2] == pytest.approx(math.log2(source.table[0 * 3 + 1, 2]))  # P(z | xy)
    with pytest.raises(ValueError, match="not in the source's alphabet"):
        source.log2_prob("xyw")


# -- the corpus files -------------------------------------------------------------------------

def test_a_generated_corpus_has_contiguous_parts_and_reads_back_exactly(tmp_path):
    settings = corpus_settings(config_with({**SIZES, "markov": {"order": 2}}))
    text, description = build_corpus(settings)
    assert len(text) == sum(SIZES.values())
    write_corpus(tmp_path / "corpus.txt", tmp_path / "corpus.json", text, description)
    corpus = read_corpus(tmp_path / "corpus.json")
    assert corpus.splits == {"train": (0, 6000), "validation": (6000, 7500),
                             "test": (7500, 9000)}  # contiguous, non-overlapping, in order
    assert "".join(corpus.part(p) for p in ("train", "validation", "test")) == text
    ids = corpus.ids("validation")
    assert ids.dtype.is_floating_point is False and len(ids) == 1500
    assert "".join(corpus.alphabet[i] for i in ids.tolist()) == text[6000:7500]
    source, _ = random_markov_source(2020, settings["markov"]["alphabet"], 2, 4, 1.0, 0.05)
    np.testing.assert_array_equal(corpus.source.table, source.table)  # rebuilt exactly
    assert corpus.entropy_rate == source.entropy_rate()
    logp = source.log2_prob(text)
    assert corpus.source_bits()["test"] == pytest.approx(-logp[7500:].mean())
    # the same settings make the same corpus; another seed another
    assert build_corpus(settings)[0] == text
    assert build_corpus({**settings, "seed": 1})[0] != text


def test_a_corpus_text_that_no_longer_matches_its_description_is_refused(tmp_path):
    text, description = build_corpus(corpus_settings(config_with(SIZES)))
    write_corpus(tmp_path / "corpus.txt", tmp_path / "corpus.json", text, description)
    (tmp_path / "corpus.txt").write_text("x" + text[1:], encoding="utf-8")
    with pytest.raises(CorpusError, match="does not match"):
        read_corpus(tmp_path / "corpus.json")


def test_the_readme_as_the_corpus(tmp_path):
    """A real English text on every machine: the project's README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    config = config_with({"source": "file", **SIZES,
                          "file": {"path": str(ROOT / "README.md"),
                                   "sha256": sha256_of(readme.encode())}})
    settings = corpus_settings(config)
    make_corpus(text=str(tmp_path / "corpus.txt"), description=str(tmp_path / "corpus.json"),
                params=settings, source=settings["path"])
    corpus = read_corpus(tmp_path / "corpus.json")
    assert corpus.text == readme[:9000] and corpus.part("test") == readme[7500:9000]
    assert corpus.entropy_rate is None and corpus.source is None
    assert corpus.alphabet == "".join(sorted(set(readme[:9000])))
    assert set("the pipeline") <= set(corpus.alphabet)
    assert json.loads((tmp_path / "corpus.json").read_text())["source"]["file_characters"] \
        == len(readme)


# -- refusals ---------------------------------------------------------------------------------

def _file_config(path, **file) -> dict:
    return config_with({"source": "file", **SIZES, "file": {"path": str(path), **file}})


def test_bad_files_are_refused_when_the_config_is_read(tmp_path):
    with pytest.raises(ConfigError, match=r"invalid config: corpus file .*nowhere.txt does "
                                          r"not exist \(config key 'corpus.file.path'\)"):
        corpus_settings(_file_config(tmp_path / "nowhere.txt"))
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Grüße ".encode("latin-1") * 3000)
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        corpus_settings(_file_config(latin1))
    short = tmp_path / "short.txt"
    short.write_text("Once upon a time. " * 100, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"has 1,800 characters, fewer than the configured "
                                          r"parts need .* = 9,000"):
        corpus_settings(_file_config(short))
    readme = ROOT / "README.md"
    with pytest.raises(ConfigError, match="has sha256 .*, not the configured 0000"):
        corpus_settings(_file_config(readme, sha256="0" * 64))
    both = config_with({"source": "file", "file": {"path": "a.txt", "url": "file:///a.txt",
                                                   "sha256": "0" * 64}})
    with pytest.raises(ConfigError, match="exactly one of path and url"):
        corpus_settings(both)
    with pytest.raises(ConfigError, match="needs its checksum"):
        corpus_settings(config_with({"source": "file", "file": {"url": "file:///a.txt"}}))
    repeated = copy.deepcopy(config_with({}))
    repeated["corpus"]["markov"]["alphabet"] = "abca"
    with pytest.raises(ConfigError, match="repeats a character"):
        corpus_settings(repeated)


def test_the_fetch_rule_refuses_a_checksum_mismatch_and_keeps_a_match(tmp_path):
    readme = ROOT / "README.md"
    url = readme.as_uri()
    download = tmp_path / "corpus.download"
    with pytest.raises(CorpusError, match=f"from {url} has sha256 .*, not the configured f+"):
        fetch_corpus(download=str(download), params={"url": url, "sha256": "f" * 64})
    assert not download.exists()
    sha = sha256_of(readme.read_bytes())
    fetch_corpus(download=str(download), params={"url": url, "sha256": sha})
    assert download.read_bytes() == readme.read_bytes()
    with pytest.raises(CorpusError, match="cannot be fetched"):
        fetch_corpus(download=str(download),
                     params={"url": (tmp_path / "gone").as_uri(), "sha256": sha})


def _snakemake_corpus(workflow_dir, corpus: dict):
    (workflow_dir / "corpus.yaml").write_text(yaml.safe_dump({"corpus": corpus}))
    return snakemake(workflow_dir, "results/data/corpus.json", "--configfile",
                     "workflow/presets/smoke.yaml", "corpus.yaml", check=False)


def test_snakemake_refuses_bad_corpus_input_before_any_job(workflow_dir):
    done = _snakemake_corpus(workflow_dir, {"source": "file", "file": {"path": "missing.txt"}})
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in output
    assert "invalid config: corpus file missing.txt does not exist" in output, output
    assert not (workflow_dir / "results").exists()
    # a URL whose file has another checksum: the fetch rule refuses it, nothing is built
    done = _snakemake_corpus(workflow_dir, {
        "source": "file", **SIZES,
        "file": {"url": (ROOT / "README.md").as_uri(), "sha256": "a" * 64}})
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "not the configured " + "a" * 64 in output, output
    assert not (workflow_dir / "results" / "data" / "corpus.download").exists()
    assert not (workflow_dir / "results" / "data" / "corpus.json").exists()
