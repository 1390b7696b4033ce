"""Job: every number the report quotes, computed from the tables, in one JSON file."""
import json
import logging

import pandas as pd

from ..analysis import seed001
from ..atomic import write_text
from ..provenance import provenance

log = logging.getLogger(__name__)


def write_numbers(tables: dict[str, str], dataset_summaries: list[str], config: dict,
                  numbers_path: str) -> None:
    report = config["report"]
    members = {name: pd.read_csv(path) for name, path in tables.items()}
    experiments = {}
    if "e1_trainability" in members:
        experiments["e1_trainability"] = seed001.trainability(
            members["e1_trainability"], report["success_accuracy"])
    if "e2_capacity" in members:
        experiments["e2_capacity"] = seed001.capacity(
            members["e2_capacity"], report["success_accuracy"], report["capacity_tolerance"])
    datasets = pd.concat([pd.read_csv(p) for p in dataset_summaries], ignore_index=True)
    numbers = {
        "config": config,
        "provenance": provenance(config),
        "devices": sorted({d for t in members.values() for d in t["device"].unique()}),
        "members_trained": {name: int(len(t)) for name, t in members.items()},
        "diverged": {name: int(t["diverged"].sum()) for name, t in members.items()},
        "datasets": datasets.to_dict(orient="records"),
        "experiments": experiments,
    }
    for name, result in experiments.items():
        for c in result["claims"]:
            log.info("%s: %s -> %s (%s)", name, c["claim"], c["verdict"], c["measured"])
    write_text(numbers_path, json.dumps(numbers, indent=1, sort_keys=True) + "\n")
