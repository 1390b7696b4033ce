"""A text file as the character corpus (config `corpus.source: file`): its checks and its
settings, without heavy imports (the workflow runs `corpus_settings` each time it starts,
so that a bad file stops it before any job, like any other invalid config).

A file is read as bytes and decoded as strict UTF-8 (no newline translation: every
character counts); a BOM is kept as a character. Its parts are its first `train`
characters, the next `validation`, the next `test` (the rest is unused).
"""
import hashlib
from pathlib import Path

from ..config import ConfigError
from ..errors import PipelineError

PARTS = ("train", "validation", "test")
# Where the corpus rule finds a file named by `corpus.file.url` (the fetch rule's output).
DOWNLOAD = "results/data/corpus.download"


class CorpusError(PipelineError):
    """A corpus file that cannot be used: missing, not UTF-8, too short, wrong checksum, or
    a corpus text that does not match its description."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_checksum(data: bytes, expected: str | None, name: str) -> None:
    if expected is not None and sha256_of(data) != expected.lower():
        raise CorpusError(f"corpus file {name} has sha256 {sha256_of(data)}, not the "
                          f"configured {expected.lower()} (config key 'corpus.file.sha256'): "
                          "the file is not the one the config names; fix the key or the file")


def decode_text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(f"corpus file {name} is not UTF-8 text (byte {error.start}: "
                          f"{error.reason}); convert it to UTF-8") from None


def check_length(text: str, sizes: dict, name: str) -> None:
    needed = sum(sizes[p] for p in PARTS)
    if len(text) < needed:
        raise CorpusError(
            f"corpus file {name} has {len(text):,} characters, fewer than the configured "
            f"parts need (corpus.train + corpus.validation + corpus.test = "
            f"{' + '.join(f'{sizes[p]:,}' for p in PARTS)} = {needed:,}); lower them or use "
            "a longer file")


def read_text_file(path, sizes: dict, sha256: str | None = None, name: str | None = None) -> str:
    """The file's text, checked: it exists, matches `sha256` (if given), is UTF-8 and holds
    at least the parts' characters. Raises CorpusError with one plain message."""
    name = name or str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"corpus file {name} does not exist (config key "
                          "'corpus.file.path')") from None
    except OSError as error:
        raise CorpusError(f"corpus file {name} cannot be read ({error.strerror})") from None
    check_checksum(data, sha256, name)
    text = decode_text(data, name)
    check_length(text, sizes, name)
    return text


def corpus_settings(config: dict) -> dict:
    """The corpus rule's params: what its output depends on (a generated source's settings
    and the root seed, or the file's name and checksum), with the part sizes. A local
    file is checked here, so a bad one is refused before any job runs; a URL's file is
    checked by the rule that fetches it."""
    corpus = config["corpus"]
    sizes = {p: corpus[p] for p in PARTS}
    if corpus["source"] == "markov":
        markov = corpus["markov"]
        if len(set(markov["alphabet"])) != len(markov["alphabet"]):
            raise ConfigError("invalid config: config key 'corpus.markov.alphabet' repeats a "
                              "character")
        contexts = len(markov["alphabet"]) ** markov["order"]
        if contexts > 1 << 20:
            raise ConfigError(f"invalid config: config key 'corpus.markov.order': "
                              f"{contexts:,} contexts (alphabet size ** order) are more than "
                              f"{1 << 20:,}")
        if markov["favourites"] > len(markov["alphabet"]):
            raise ConfigError("invalid config: config key 'corpus.markov.favourites' exceeds "
                              "the alphabet's size")
        return {"source": "markov", **sizes, "markov": markov, "seed": config["seed"]}
    file = corpus["file"]
    path, url, sha256 = file["path"], file["url"], file["sha256"]
    if (path is None) == (url is None):
        raise ConfigError("invalid config: config key 'corpus.file': give exactly one of "
                          "path and url (corpus.source is file)")
    if url is not None and sha256 is None:
        raise ConfigError("invalid config: config key 'corpus.file.sha256' is missing: a "
                          "corpus fetched from a URL needs its checksum")
    if path is not None:
        try:
            read_text_file(path, sizes, sha256)
        except CorpusError as error:
            raise ConfigError(f"invalid config: {error}") from None
    return {"source": "file", **sizes, "path": path, "url": url, "sha256": sha256}


def corpus_file(settings: dict) -> str | None:
    """The file the corpus rule reads: the configured path, the fetched URL, or none."""
    if settings["source"] != "file":
        return None
    return settings["path"] if settings["path"] is not None else DOWNLOAD


def alphabet_size(config: dict) -> int | None:
    """The corpus's alphabet size where it is known before any job: a generated source's,
    or a local file's (the characters of its parts); None for a URL (known once fetched)
    or a file that corpus_settings refuses."""
    corpus = config["corpus"]
    if corpus["source"] == "markov":
        return len(corpus["markov"]["alphabet"])
    if corpus["file"]["path"] is None:
        return None
    sizes = {p: corpus[p] for p in PARTS}
    try:
        text = read_text_file(corpus["file"]["path"], sizes, corpus["file"]["sha256"])
    except CorpusError:
        return None
    return len(set(text[:sum(sizes.values())]))
