"""Job: every number the report quotes, computed from the tables, in one JSON file."""
import json
import logging

import pandas as pd

from ..analysis import seed001
from ..results import read_results
from ..atomic import write_text
from ..grid import training_experiments
from ..provenance import producers

log = logging.getLogger(__name__)


def experiment_numbers(tables: dict[str, pd.DataFrame], config: dict) -> dict:
    """Each configured experiment's numbers and claims, from its tables."""
    report, sections = config["report"], config["experiments"]
    makers = {
        "e1_trainability": lambda: seed001.trainability(
            tables["e1_trainability"], report["success_accuracy"]),
        "e2_capacity": lambda: seed001.capacity(
            tables["e2_capacity"], report["success_accuracy"], report["capacity_tolerance"]),
        "e3_word_geometry": lambda: seed001.word_geometry(tables["e3_word_vectors"]),
        "e4_trajectories": lambda: seed001.trajectories(
            tables["e4_hidden_states"], tables["e4_length_generalization"],
            sections["e4_trajectories"]["probe_length"]),
        "e5_landscape": lambda: seed001.landscape(tables["e5_landscape"]),
        "e6_update_cosine": lambda: seed001.update_cosine(tables["e6_cosine_curves"]),
        "e7_perturbation": lambda: seed001.perturbation(tables["e7_retraining"]),
    }
    return {name: make() for name, make in makers.items() if name in sections}


def write_numbers(tables: dict[str, str], dataset_summaries: list[str], config: dict,
                  numbers_path: str, run: dict) -> None:
    frames = {name: read_results(path) for name, path in tables.items()}
    training = {name: frames[name] for name in training_experiments(config)}
    experiments = experiment_numbers(frames, config)
    datasets = pd.concat([read_results(p) for p in dataset_summaries], ignore_index=True)
    numbers = {
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
    write_text(numbers_path, json.dumps(numbers, indent=1, sort_keys=True) + "\n")
