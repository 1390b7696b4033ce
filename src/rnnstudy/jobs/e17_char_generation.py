"""Jobs of E17: one character model per dropout variant × replicate (its training curve and
its samples), and the tables of all of them.

A shard writes one CSV of records: `curve` rows (one per evaluation) and sample rows
(`snapshot`, `prefix`, `measured`); the tables job sorts them into the experiment's tables.
Texts are stored as JSON string literals, so that any character (a newline, a comma, a
digit string that pandas would read as a number) comes back as it was written.
"""
import hashlib
import json
import logging
import time
from pathlib import Path

import pandas as pd

from ..analysis.e17_char_generation import sample_rows, train_char_model
from ..atomic import write_csv
from ..data.corpus import read_corpus
from ..errors import PipelineError
from ..provenance import COLUMNS, stamp
from ..results import read_shards
from ..training.checkpoint import Checkpoint
from .preamble import device_only

log = logging.getLogger(__name__)
MODEL = ["variant", "replicate", "dropout"]
CURVE = ["step", "train_bits", "train_accuracy", "validation_bits", "validation_accuracy"]
SAMPLE = ["kind", "step", "temperature", "sample", "prompt", "text"]
MEASURE = ["temperature", "sample", "prompt", "text", "log2_prob", "scorer", "entropy"]


class PrefixError(PipelineError):
    """The configured prefix has characters the model cannot read."""


def check_prefix(prefix: str, alphabet: str) -> None:
    """A prefix the model can read: every character in the corpus's alphabet (a generated
    corpus's prefix was checked when the workflow started, experiments._e17_shards; a text
    file's alphabet is known once its corpus is made)."""
    missing = sorted(set(prefix) - set(alphabet))
    if missing:
        raise PrefixError(f"config key 'experiments.e17_char_generation.prefix' ({prefix!r}) "
                          f"cannot be completed: its characters {''.join(missing)!r} are not "
                          f"in the corpus's alphabet {alphabet!r}")


def fingerprint(params: dict, corpus: str) -> str:
    """What a checkpoint must match to be resumed from: the job's params and its corpus
    (whose description holds the text's sha256)."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode())
    digest.update(Path(corpus).read_bytes())
    return digest.hexdigest()


def checkpoint_of(records: str, params: dict, corpus: str,
                  checkpoint: dict | None) -> Checkpoint | None:
    """The shard's checkpoint, beside its output; the config's `checkpoint.epochs` counts
    evaluations (evaluate_every steps) here."""
    if not checkpoint:
        return None
    return Checkpoint(Path(records).with_suffix(".checkpoint.pt"), fingerprint(params, corpus),
                      checkpoint["epochs"] * params["section"]["evaluate_every"],
                      checkpoint["minutes"] * 60)


def char_model_shard(*, corpus: str, records: str, params: dict, run: dict, threads: int = 1,
                     checkpoint: dict | None = None) -> None:
    """Train one model (params: variant, replicate, section) and sample from it."""
    device, dtype = device_only(params, threads)
    section, variant, replicate = params["section"], params["variant"], params["replicate"]
    data = read_corpus(corpus)
    check_prefix(section["prefix"], data.alphabet)
    saver = checkpoint_of(records, params, corpus, checkpoint)
    started = time.perf_counter()
    trained = train_char_model(data.ids("train"), data.ids("validation"), len(data.alphabet),
                               variant, replicate, section, params["seed"], device, dtype,
                               saver)
    log.info("%s dropout, replicate %d: %d steps in %.1fs on %s, validation %.3f bits/char "
             "(source: %s)", variant, replicate, section["steps"],
             time.perf_counter() - started, device.type,
             trained.curve["validation_bits"].iloc[-1], data.entropy_rate)
    curve = trained.curve.assign(kind="curve")
    samples = sample_rows(trained, data.alphabet, data.source, variant, replicate, section,
                          params["seed"], device)
    samples["prompt"] = samples["prompt"].map(json.dumps)
    samples["text"] = samples["text"].map(json.dumps)
    frame = pd.concat([curve, samples], ignore_index=True)
    frame.insert(0, "variant", variant)
    frame.insert(1, "replicate", replicate)
    frame.insert(2, "dropout", section["dropout"] if variant != "none" else 0.0)
    frame["entropy_rate"] = data.entropy_rate
    frame["source_bits"] = (data.source_bits() or {}).get("validation")
    write_csv(records, stamp(frame, run, device.type))
    if saver:
        saver.remove()


def char_tables(*, shards: list[str], corpus: str, curves: str, samples: str, measures: str,
                params: dict) -> None:
    records = read_shards(shards, (*MODEL, "kind")).astype({"step": int})
    kinds = records["kind"]
    curve = records[kinds == "curve"]
    write_csv(curves, curve[[*MODEL, *CURVE, "entropy_rate", "source_bits", *COLUMNS]])
    shown = records[kinds.isin(["snapshot", "prefix"])]
    write_csv(samples, shown[[*MODEL, *SAMPLE, *COLUMNS]].astype({"sample": int}))
    measured = records[kinds == "measured"]
    write_csv(measures, measured[[*MODEL, *MEASURE, *COLUMNS]].astype({"sample": int}))
