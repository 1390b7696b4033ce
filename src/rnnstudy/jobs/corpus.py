"""Jobs of the character corpus (E12, E17): fetch a configured URL, and write the corpus."""
import logging
import urllib.request

from ..atomic import atomic_path
from ..data.corpus import build_corpus, write_corpus
from ..data.text_file import CorpusError, check_checksum, read_text_file

log = logging.getLogger(__name__)
TIMEOUT_S = 60


def fetch_corpus(*, download: str, params: dict) -> None:
    """Download `params['url']`; refuse it (writing nothing) unless its sha256 is the
    configured one."""
    url, sha256 = params["url"], params["sha256"]
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            data = response.read()
    except (OSError, ValueError) as error:
        raise CorpusError(f"corpus url {url} cannot be fetched ({error})") from None
    check_checksum(data, sha256, f"from {url}")
    with atomic_path(download) as tmp:
        tmp.write_bytes(data)
    log.info("fetched %s: %d bytes, sha256 %s", url, len(data), sha256)


def make_corpus(*, text: str, description: str, params: dict, source: str | None = None) -> None:
    """corpus.txt and corpus.json from the generated source, or from the file `source`."""
    file_text = None
    if params["source"] == "file":
        name = params["path"] or params["url"]
        file_text = read_text_file(source, params, params["sha256"], name)
    corpus, about = build_corpus(params, file_text)
    log.info("corpus: %d characters, alphabet of %d, entropy rate %s bits/char",
             len(corpus), len(about["alphabet"]), about["entropy_rate_bits"])
    write_corpus(text, description, corpus, about)
