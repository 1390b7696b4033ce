"""Real Snakemake on the smoke preset: a full build, then incremental reruns.

After a full build, a change must rerun exactly what it touches: the tests compare the
modification times of every file under results/ before and after.
"""
import json
import re

import pandas as pd

from rnnstudy import grid
from rnnstudy.experiments import configured, documented_columns

from conftest import SMOKE, changed, planned, smoke_config, snakemake, snapshot

CONFIG = smoke_config()
FIGURES = [figure.name for figure in grid.figures(CONFIG)]
TABLES = grid.tables(CONFIG)


def test_the_registry_gives_the_smoke_presets_artifacts():
    assert {"e1_trainability_first", "e1_trainability_xor", "e2_capacity_first",
            "e3_word_geometry", "e4_trajectories", "e5_landscape_distribution",
            "e5_landscape_box", "e6_update_cosine", "e7_perturbation"} <= set(FIGURES)
    assert {"e1_trainability", "e1_trainability_epochs", "e3_word_geometry_vectors",
            "e4_trajectories_states", "e4_trajectories_lengths", "e5_landscape_histogram",
            "e6_update_cosine_curves", "e7_perturbation_retraining"} <= set(TABLES)


def test_full_build_makes_every_artifact(smoke_build):
    results = smoke_build / "results"
    for table in TABLES:
        frame = pd.read_csv(results / "tables" / f"{table}.csv")
        assert len(frame) > 0, table
        assert documented_columns(table, list(frame.columns)), (table, list(frame.columns))
        if "val_acc" in frame:
            assert frame["val_acc"].between(0, 1).all(), table
    e1 = pd.read_csv(results / "tables" / "e1_trainability.csv")
    assert len(e1) == 2 * 1 * 1 * 1 * 2  # tasks × models × inputs × hiddens × inits
    e5 = pd.read_csv(results / "tables" / "e5_landscape_histogram.csv")
    assert (e5.groupby("model")["settings"].sum() == 1500).all()
    for figure in FIGURES:
        for ext in ("png", "pdf"):
            assert (results / "figures" / f"{figure}.{ext}").stat().st_size > 1000
        assert (results / "notebooks" / f"{figure}.ipynb").exists()
    report = (results / "report.html").read_text()
    assert report.count("data:image/png;base64,") == len(FIGURES)
    assert "{{" not in report and "{%" not in report
    # Every claim of numbers.json appears with its own verdict in the summary table and
    # again in its experiment's section (the stylesheet's class names do not count).
    numbers = json.loads((results / "tables" / "numbers.json").read_text())
    # in the paper's order (e1 … e11), not the file's sorted keys (e10 before e2)
    assert numbers["order"] == [e.id for e in configured(CONFIG)]
    claims = [c for name in numbers["order"] for c in numbers["experiments"][name]["claims"]]
    verdicts = re.findall(r'<span class="verdict-([a-z-]+)">([a-z ]+)</span>', report)
    assert len(claims) >= 13 and len(verdicts) == 2 * len(claims)
    summary = [v for _, v in verdicts[:len(claims)]]
    assert summary == [c["verdict"] for c in claims]
    assert all(cls == text.replace(" ", "-") for cls, text in verdicts)
    # Smoke-sized models reach no threshold: the report must say so, not hide it.
    assert "reached the asked accuracy" in report


def test_finished_build_has_nothing_to_do(smoke_build):
    assert planned(smoke_build) == {}


def test_adding_a_hidden_size_trains_only_the_new_cells(build):
    (build / "more.yaml").write_text("experiments:\n  e1_trainability:\n    hidden_dims: [2, 3]\n")
    table = build / "results" / "tables" / "e1_trainability.csv"
    rows_before = pd.read_csv(table)
    before = snapshot(build)
    snakemake(build, "--configfile", SMOKE, "more.yaml")
    touched = changed(before, snapshot(build))
    # The existing cells' rows are unchanged, to the byte (provenance included).
    rows_after = pd.read_csv(table)
    pd.testing.assert_frame_equal(rows_after[rows_after["hidden_dim"] == 2].reset_index(drop=True),
                                  rows_before)
    assert set(rows_after["hidden_dim"]) == {2, 3}
    trained = {p.split("/")[3] for p in touched if p.startswith("results/runs/")}
    assert trained == {"first-gru-i2-h3", "xor-gru-i2-h3"}
    assert "results/tables/e1_trainability.csv" in touched
    assert "results/tables/e2_capacity.csv" not in touched
    assert {"results/figures/e1_trainability_first.png", "results/report.html"} <= touched
    assert "results/figures/e2_capacity_first.png" not in touched
    assert not any(p.startswith("results/data/") for p in touched)
    assert planned(build, "more.yaml") == {}


def test_editing_a_figure_notebook_reruns_only_that_figure_the_report_and_the_paper(build):
    notebook = build / "paper" / "figures" / "e2_capacity.py"
    notebook.write_text(notebook.read_text() + "\n# %%\nprint('an edit')\n")
    before = snapshot(build)
    snakemake(build, "--configfile", SMOKE)
    touched = changed(before, snapshot(build))
    assert touched == {"results/figures/e2_capacity_first.png",
                       "results/figures/e2_capacity_first.pdf",
                       "results/notebooks/e2_capacity_first.ipynb",
                       "results/logs/figure/e2_capacity_first.log",
                       "results/report.html", "results/logs/report.log",
                       *PAPER}


def test_changing_a_training_setting_retrains_the_cells_that_use_it(build):
    # An E2-only setting retrains E2's cells and nothing of E1.
    (build / "e2.yaml").write_text("experiments:\n  e2_capacity:\n    training: {max_epochs: 2}\n")
    before = snapshot(build)
    snakemake(build, "--configfile", SMOKE, "e2.yaml")
    touched = changed(before, snapshot(build))
    retrained = {"/".join(p.split("/")[2:4]) for p in touched if p.startswith("results/runs/")}
    assert retrained == {"e2_capacity/first-rnn-i2-h2"}
    e2 = pd.read_csv(build / "results" / "tables" / "e2_capacity.csv")
    assert e2["epochs"].max() <= 2
    # A top-level setting retrains every cell; a report threshold retrains none.
    (build / "batch.yaml").write_text("training: {batch_size: 16}\n")
    assert planned(build, "e2.yaml", "batch.yaml")["train"] == 7
    (build / "threshold.yaml").write_text("report: {success_accuracy: 0.8}\n")
    assert "train" not in planned(build, "e2.yaml", "threshold.yaml")


def test_switching_the_kernels_reruns_the_jobs_that_run_the_cells_and_no_other(build):
    """`kernels: plain` changes numbers at float rounding, so every job that trains the
    recurrent cells (or takes their gradients) reruns; E5's evaluation, E17's torch.nn
    character models, E9's table work and the datasets do not."""
    (build / "plain.yaml").write_text("kernels: plain\n")
    jobs = planned(build, "plain.yaml")
    assert jobs["train"] == 7 and jobs["e8_capacity_shard"] == 2
    for rule in ("e7_perturbation", "e6_update_cosine", "e15_palindromes_shard",
                 "e18_lstm_variants_shard", "e12_char_models_shard"):
        assert jobs[rule] >= 1, rule
    for rule in ("dataset", "e5_landscape_shard", "e17_char_generation_shard"):
        assert rule not in jobs, rule


# What the paper rule writes.
PAPER = {"results/paper.pdf", "results/paper/paper.tex", "results/paper/paper.bbl",
         "results/paper/links.tex", "results/logs/paper.log"}
# What a new number rewrites: the report, the paper's macros and the paper.
WRITTEN = {"report": 1, "paper_macros": 1, "paper": 1}


def edit(path) -> None:
    """A change to a file's code (a comment: its mtime is what Snakemake compares)."""
    path.write_text(path.read_text() + "\n# an edit\n")



def test_a_changed_module_reruns_exactly_the_jobs_that_import_it(build):
    # Deep in the training stack: every training job, and what reads their results. E5's
    # untrained settings and the datasets do not import the trainer.
    edit(build / "src" / "rnnstudy" / "training" / "trainer.py")
    training = [e for e in configured(CONFIG) if e.trains]
    figures = [f for e in training
               for f in e.figures(CONFIG["experiments"][e.id], CONFIG["report"])]
    plan = planned(build)
    assert plan == {
        "train": len(grid.training_cells(CONFIG)), "aggregate": len(training),
        **{e.id: 1 for e in training if e.job}, "figure": len(figures),
        "numbers": 1, **WRITTEN, "all": 1}
    assert plan["train"] == 7 and plan["figure"] == 7


def test_a_changed_analysis_module_reruns_its_experiment_only(build):
    edit(build / "src" / "rnnstudy" / "analysis" / "e4_trajectories.py")
    assert planned(build) == {"e4_trajectories": 1, "figure": 1, "numbers": 1, **WRITTEN,
                              "all": 1}


def test_a_changed_criterion_reruns_only_the_numbers_the_report_and_the_paper(build):
    # E5's claims: its 1,000,000-setting shards must not rerun for a change of verdict.
    edit(build / "src" / "rnnstudy" / "claims" / "e5_landscape.py")
    assert planned(build) == {"numbers": 1, **WRITTEN, "all": 1}


def test_a_changed_plot_module_redraws_only_its_figures(build):
    edit(build / "src" / "rnnstudy" / "plots" / "e5_landscape.py")
    assert planned(build) == {"figure": 2, "report": 1, "paper": 1, "all": 1}
    before = snapshot(build)
    snakemake(build, "--configfile", SMOKE)
    touched = changed(before, snapshot(build))
    assert {p for p in touched if p.startswith("results/figures/")} == {
        f"results/figures/e5_landscape_{kind}.{ext}" for kind in ("distribution", "box")
        for ext in ("png", "pdf")}


def test_a_change_no_job_imports_reruns_nothing(build):
    # grid.py decides what jobs exist (the Snakefile reads it); no job runs it.
    edit(build / "src" / "rnnstudy" / "grid.py")
    (build / "README.md").write_text("edited\n")
    (build / "tests").mkdir(exist_ok=True)
    (build / "tests" / "test_new.py").write_text("def test(): pass\n")
    assert planned(build) == {}
