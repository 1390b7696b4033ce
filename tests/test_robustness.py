"""The claims rebuilt under the other word vectors (robustness.embedding): the same rules,
under results/robustness/, leaving the main build as it was."""
import json

import pandas as pd

from rnnstudy.experiments import REGISTRY

from conftest import SMOKE, changed, planned, snakemake, snapshot


def test_the_other_word_vectors_rebuild_every_training_experiment_beside_the_main_one(build):
    (build / "robust.yaml").write_text("robustness: {embedding: true}\n")
    plan = planned(build, "robust.yaml")
    # Every training job again, under the module's rule names; the datasets are shared,
    # nothing of the main build reruns but its numbers and report.
    assert plan == {"other_embedding_train": 7, "other_embedding_aggregate": 6,
                    "other_embedding_e3_word_geometry": 1, "other_embedding_e4_trajectories": 1,
                    "other_embedding_e6_update_cosine": 1, "other_embedding_e7_perturbation": 1,
                    "other_embedding_numbers": 1, "numbers": 1, "report": 1,
                    "paper_macros": 1, "paper": 1, "all": 1}
    before = snapshot(build)
    snakemake(build, "--configfile", SMOKE, "robust.yaml")
    touched = changed(before, snapshot(build))
    other = "results/robustness/embedding-fixed/"
    assert not {p for p in touched if not p.startswith(other)} - {
        "results/tables/numbers.json", "results/report.html", "results/logs/numbers.log",
        "results/logs/report.log", "results/paper/numbers.tex", "results/logs/paper_macros.log",
        "results/paper.pdf", "results/paper/paper.tex", "results/paper/paper.bbl",
        "results/paper/links.tex", "results/logs/paper.log"}
    members = pd.read_csv(build / other / "tables" / "e1_trainability.csv")
    assert set(members["embedding"]) == {"fixed"}
    main = pd.read_csv(build / "results" / "tables" / "e1_trainability.csv")
    assert set(main["embedding"]) == {"learned"}
    assert not (build / other / "tables" / "e5_landscape_histogram.csv").exists()  # no training

    numbers = json.loads((build / "results" / "tables" / "numbers.json").read_text())
    rows = numbers["robustness"]
    trains = {e.id for e in REGISTRY if e.trains}
    training_claims = [c for name, e in numbers["experiments"].items() if name in trains
                       for c in e["claims"]]
    assert len(rows) == len(training_claims) > 0
    assert all(set(r["choices"]) == {"embedding: fixed"} for r in rows)
    assert all(r["changed"] == (r["choices"]["embedding: fixed"]["verdict"] != r["verdict"])
               for r in rows)
    report = (build / "results" / "report.html").read_text()
    assert "Robustness to the seed's open choices" in report
    assert report.count("embedding: fixed") >= 1
