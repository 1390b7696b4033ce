"""Job: every number the report quotes, computed from the tables, in one JSON file."""
import json
import logging

import pandas as pd

from ..atomic import write_text
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


def write_numbers(*, tables: list[str], summaries: list[str], numbers: str, params: dict,
                  run: dict) -> None:
    """`tables` are the tables named params["tables"]; params["config"] is the run's config."""
    config = params["config"]
    frames = {name: read_results(path)
              for name, path in zip(params["tables"], tables, strict=True)}
    training = {e.id: frames[e.id] for e in configured(config) if e.trains}
    experiments = experiment_numbers(frames, config)
    datasets = pd.concat([read_results(p) for p in summaries], ignore_index=True)
    values = {
        "config": config,
        "provenance": run,
        "produced_by": producers(list(frames.values()) + [datasets]),
        "devices": sorted({d for t in training.values() for d in t["device"].unique()}),
        "members_trained": {name: int(len(t)) for name, t in training.items()},
        "diverged": {name: int(t["diverged"].sum()) for name, t in training.items()},
        "datasets": datasets.to_dict(orient="records"),
        "experiments": experiments,
    }
    for name, result in experiments.items():
        for c in result["claims"]:
            log.info("%s: %s -> %s (%s)", name, c["claim"], c["verdict"], c["measured"])
    write_text(numbers, json.dumps(values, indent=1, sort_keys=True) + "\n")
