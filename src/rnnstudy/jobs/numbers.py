"""Job: every number the report quotes, computed from the tables, in one JSON file."""
import json
import logging
from pathlib import Path

import pandas as pd

from ..atomic import write_text
from ..claims.verdict import VERDICTS
from ..experiments import configured
from ..provenance import producers
from ..results import read_results
from .runner import job_function

log = logging.getLogger(__name__)


def experiment_numbers(tables: dict[str, pd.DataFrame], config: dict) -> dict:
    """Each configured experiment's numbers and claims: the `claims` function of its
    analysis module, on the tables."""
    return {e.id: job_function(e.claims_function)(tables, config["experiments"][e.id],
                                                  config["report"])
            for e in configured(config)}


def _robustness_rows(experiments: dict, names: list[str], paths: list[str]) -> list[dict]:
    choices = {name: json.loads(Path(path).read_text(encoding="utf-8"))["experiments"]
               for name, path in zip(names, paths, strict=True)}
    return robustness_table(experiments, choices)


def robustness_table(experiments: dict, choices: dict[str, dict]) -> list[dict]:
    """Claim × choice → verdict: each claim of `experiments` with its verdict, counts and
    measured values under every other choice (`choices`: name → that build's experiments)."""
    rows = []
    for name, result in experiments.items():
        for claim in result["claims"]:
            row = {"experiment": name, "claim": claim["claim"], "choices": {},
                   **{k: claim[k] for k in ("verdict", "held", "tested", "models")}}
            for choice, other in choices.items():
                match = [c for c in other.get(name, {"claims": []})["claims"]
                         if c["claim"] == claim["claim"]]
                if match:
                    row["choices"][choice] = {k: match[0][k] for k in
                                              ("verdict", "held", "tested", "models", "measured")}
            if row["choices"]:
                row["changed"] = any(c["verdict"] != claim["verdict"]
                                     for c in row["choices"].values())
                rows.append(row)
    return rows


def verdict_counts(experiments: dict) -> dict:
    """How many claims there are, and how many got each verdict (every verdict named)."""
    verdicts = [c["verdict"] for result in experiments.values() for c in result["claims"]]
    return {"claims": len(verdicts), "counts": {v: verdicts.count(v) for v in VERDICTS}}


def write_numbers(*, tables: list[str], summaries: list[str], robustness: list[str],
                  numbers: str, params: dict, run: dict) -> None:
    """`tables` are the tables named params["tables"]; params["config"] is the run's config;
    `robustness` the numbers.json of the builds under the seed's other open choices, named
    params["robustness"]."""
    config = params["config"]
    frames = {name: read_results(path)
              for name, path in zip(params["tables"], tables, strict=True)}
    training = {e.id: frames[e.id] for e in configured(config) if e.trains}
    experiments = experiment_numbers(frames, config)
    # a config of seed 000/003/004 experiments alone trains no classifier: no datasets
    dataset_frames = [read_results(p) for p in summaries]
    datasets = (pd.concat(dataset_frames, ignore_index=True) if dataset_frames
                else pd.DataFrame())
    values = {
        "config": config,
        "provenance": run,
        "produced_by": producers(list(frames.values()) + dataset_frames),
        "devices": sorted({d for t in training.values() for d in t["device"].unique()}),
        "members_trained": {name: int(len(t)) for name, t in training.items()},
        "diverged": {name: int(t["diverged"].sum()) for name, t in training.items()},
        "datasets": datasets.to_dict(orient="records"),
        "experiments": experiments,
        # the paper's order (the keys of `experiments` are sorted in the file)
        "order": list(experiments),
        "robustness": _robustness_rows(experiments, params["robustness"], robustness),
        "verdicts": verdict_counts(experiments),
    }
    for name, result in experiments.items():
        for c in result["claims"]:
            log.info("%s: %s -> %s (%s)", name, c["claim"], c["verdict"], c["measured"])
    write_text(numbers, json.dumps(values, indent=1, sort_keys=True) + "\n")
