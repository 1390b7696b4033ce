"""The experiment registry: every entry's files exist, and a new experiment added the way
the README's checklist says is built by the workflow without any other edit."""
import hashlib
import importlib
import inspect
import shutil

import pandas as pd
import pytest
import yaml

from rnnstudy.code import module_files
from rnnstudy.experiments import KINDS, REGISTRY

from conftest import ROOT, SMOKE, smoke_config, snakemake

SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())


@pytest.mark.parametrize("experiment", REGISTRY, ids=lambda e: e.id)
def test_each_experiment_has_its_files_under_its_one_name(experiment):
    assert experiment.kind in KINDS
    claims = importlib.import_module(experiment.claims_module).claims
    assert list(inspect.signature(claims).parameters) == ["tables", "section", "report"]
    importlib.import_module(f"rnnstudy.plots.{experiment.id}")
    if experiment.job:
        jobs = importlib.import_module(f"rnnstudy.jobs.{experiment.id}")
        for name in filter(None, (experiment.job, experiment.shard_job)):
            assert "params" in inspect.signature(getattr(jobs, name)).parameters
    for ext in ("md", "tex"):  # its sections of the report and the paper
        assert (ROOT / "paper" / "sections" / f"{experiment.id}.{ext}").is_file()
    config = smoke_config()
    for figure in experiment.figures(config["experiments"][experiment.id], config["report"]):
        assert figure.name.startswith(experiment.id)
        assert (ROOT / "paper" / "figures" / f"{figure.notebook}.py").is_file()
    assert experiment.id in SCHEMA["properties"]["experiments"]["properties"]
    for config in ("config.yaml", "workflow/presets/quick.yaml", SMOKE):
        assert experiment.id in yaml.safe_load((ROOT / config).read_text())["experiments"]


def test_code_dependencies_follow_the_imports():
    src = ROOT / "src"
    train = {p.relative_to(src / "rnnstudy").as_posix() for p in
             module_files("rnnstudy.jobs.train", src)}
    assert {"jobs/train.py", "training/trainer.py", "models/cells.py", "data/split.py",
            "__init__.py", "training/__init__.py"} <= train
    assert not any(p.startswith(("plots/", "analysis/", "claims/")) for p in train)
    assert "experiments.py" not in train and "grid.py" not in train


# -- a toy experiment, added as the checklist says ----------------------------------------

TOY_ENTRY = '''    Experiment(
        id="e99_toy", kind=SELECTION, title="toy: weight norms", source="the tests",
        job="weight_norms", reads=("final", "weights"),
        figures=_one_figure("e99_toy", "norms"),
        tables={"norms": {**STUDIED, "norm": "‖W‖ of the studied member's trainable weights"}}),
'''
# An analysis experiment: computed from another experiment's table.
SUMMARY_ENTRY = '''    Experiment(
        id="e98_summary", kind=ANALYSIS, title="toy: mean accuracy", source="the tests",
        job="mean_accuracy", reads=("e1_trainability",),
        figures=_one_figure("e98_summary", "means"),
        tables={"means": {"model": "model", "val_acc": "mean validation accuracy"}}),
'''
SUMMARY_JOB = '''"""Job: mean validation accuracy per model of E1."""
from ..atomic import write_csv
from ..provenance import stamp
from ..results import read_results


def mean_accuracy(*, e1_trainability, means, params, run):
    table = read_results(e1_trainability, ("model", "val_acc"))
    write_csv(means, stamp(table.groupby("model", as_index=False)["val_acc"].mean(), run, "cpu"))
'''
SUMMARY_ANALYSIS = '''"""The summary's claim: accuracies are probabilities."""
from .verdict import claim


def claims(tables, section, report):
    means = tables["e98_summary_means"]["val_acc"]
    return {"claims": [claim("accuracies lie in [0, 1]", "per model", [f"{m:.3f}" for m in means],
                             [bool(0 <= m <= 1) for m in means])]}
'''
SUMMARY_PLOTS = '''"""The summary's figure."""
import matplotlib.pyplot as plt


def mean_bars(table):
    figure, ax = plt.subplots(figsize=(3, 2))
    ax.bar(table["model"], table["val_acc"])
    return figure
'''
SUMMARY_NOTEBOOK = '''# %% tags=["parameters"]
tables = {"e98_summary_means": "results/tables/e98_summary_means.csv"}
png = "summary.png"
pdf = "summary.pdf"

# %%
import pandas as pd

from rnnstudy.plots.e98_summary import mean_bars
from rnnstudy.plots.style import save_figure

save_figure(mean_bars(pd.read_csv(tables["e98_summary_means"])), png, pdf)
'''
SUMMARY_SECTION = '''## E98: toy mean accuracy

{{ figure("e98_summary", "mean validation accuracy per model of E1.") }}

{{ claims_table(n.experiments.e98_summary.claims) }}
'''

TOY_JOB = '''"""Job: the norm of each studied member's weights."""
import pandas as pd

from ..atomic import write_csv
from ..provenance import stamp
from .selected import columns_first, load_selected


def weight_norms(*, final, weights, norms, params, run):
    rows = []
    for identity, final_path, weights_path in zip(params["cells"], final, weights, strict=True):
        chosen = load_selected(identity, final_path, weights_path, params["min_val_acc"])
        norm = float(chosen.params[chosen.member].double().norm())
        rows.append(columns_first(pd.DataFrame({"norm": [norm]}), chosen.columns()))
    write_csv(norms, stamp(pd.concat(rows, ignore_index=True), run, "cpu"))
'''
TOY_ANALYSIS = '''"""The toy's claim: weights have a positive norm."""
from .verdict import claim


def claims(tables, section, report):
    norms = tables["e99_toy_norms"]["norm"]
    return {"largest": float(norms.max()),
            "claims": [claim("weights are not all zero", "per model, ‖W‖ > 0",
                             [f"{n:.3f}" for n in norms], [bool(n > 0) for n in norms])]}
'''
TOY_PLOTS = '''"""The toy's figure."""
import matplotlib.pyplot as plt


def norm_bars(table):
    figure, ax = plt.subplots(figsize=(3, 2))
    ax.bar(table["model"], table["norm"])
    return figure
'''
TOY_NOTEBOOK = '''# %% tags=["parameters"]
tables = {"e99_toy_norms": "results/tables/e99_toy_norms.csv"}
png = "toy.png"
pdf = "toy.pdf"

# %%
import pandas as pd

from rnnstudy.plots.e99_toy import norm_bars
from rnnstudy.plots.style import save_figure

save_figure(norm_bars(pd.read_csv(tables["e99_toy_norms"])), png, pdf)
'''
TOY_SECTION = '''{% set e99 = n.experiments.e99_toy %}
## E99: toy weight norms

{{ figure("e99_toy", "the norm of each studied model's weights.") }}

Largest norm: {{ "%.3f" | format(e99.largest) }}.

{{ claims_table(e99.claims) }}
'''
SUMMARY_PAPER = r'''\section{E98: toy mean accuracy}

\rnfigure{e98_summary}{Mean validation accuracy per model of E1.}

\claimstable{e98_summary}
'''
TOY_PAPER = r'''%% set e99 = n.experiments.e99_toy
\section{E99: toy weight norms}

\rnfigure{e99_toy}{The norm of each studied model's weights.}

Largest norm: \VAR{e99.largest}.

\claimstable{e99_toy}
'''
TOY_SCHEMA = '''      e98_summary: {type: object, additionalProperties: false}
      e99_toy: {$ref: "#/$defs/selection"}
'''
TOY_CONFIG = '''  e98_summary: {}
  e99_toy:
    task: first
    models: [gru]
    shapes: [[2, 2]]
    candidates: 2
    min_val_acc: 0.5
'''


def tree_digest(root) -> dict[str, str]:
    """Hash of every source file of a workflow copy (results and caches aside)."""
    skip = ("results", ".snakemake", "__pycache__", ".egg-info")
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*")
            if p.is_file() and not any(s in part for part in p.relative_to(root).parts
                                       for s in skip)}


def test_a_new_experiment_needs_only_the_checklists_files(build):
    for folder in ("tools", "docs"):
        shutil.copytree(ROOT / folder, build / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    before = tree_digest(build)
    src = build / "src" / "rnnstudy"
    registry = src / "experiments.py"
    text = registry.read_text()
    end = text.index("\n)\n\nBY_ID")
    entries = SUMMARY_ENTRY + TOY_ENTRY
    registry.write_text(text[:end] + "\n" + entries.rstrip("\n") + text[end:])
    for id_, job, analysis, plots, notebook, section, paper in (
            ("e98_summary", SUMMARY_JOB, SUMMARY_ANALYSIS, SUMMARY_PLOTS, SUMMARY_NOTEBOOK,
             SUMMARY_SECTION, SUMMARY_PAPER),
            ("e99_toy", TOY_JOB, TOY_ANALYSIS, TOY_PLOTS, TOY_NOTEBOOK, TOY_SECTION, TOY_PAPER)):
        (src / "jobs" / f"{id_}.py").write_text(job)
        (src / "claims" / f"{id_}.py").write_text(analysis)
        (src / "plots" / f"{id_}.py").write_text(plots)
        (build / "paper" / "figures" / f"{id_}.py").write_text(notebook)
        (build / "paper" / "sections" / f"{id_}.md").write_text(section)
        (build / "paper" / "sections" / f"{id_}.tex").write_text(paper)
    schema = build / "workflow" / "schemas" / "config.schema.yaml"
    text = schema.read_text()
    schema.write_text(text.replace("\n$defs:\n", "\n" + TOY_SCHEMA + "$defs:\n", 1))
    for config in ("config.yaml", "workflow/presets/quick.yaml", SMOKE):
        path = build / config
        path.write_text(path.read_text().rstrip("\n") + "\n" + TOY_CONFIG)
    done = __import__("subprocess").run(
        [__import__("sys").executable, "tools/data_dictionary.py"], cwd=build,
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    edited = {p for p, digest in tree_digest(build).items() if before.get(p) != digest}
    own = {f"{folder}/{id_}.{ext}" for id_ in ("e98_summary", "e99_toy")
           for folder, ext in (("src/rnnstudy/jobs", "py"), ("src/rnnstudy/claims", "py"),
                               ("src/rnnstudy/plots", "py"), ("paper/figures", "py"),
                               ("paper/sections", "md"), ("paper/sections", "tex"))}
    assert edited == own | {
        "src/rnnstudy/experiments.py", "workflow/schemas/config.schema.yaml", "config.yaml",
        "workflow/presets/quick.yaml", SMOKE, "docs/data-dictionary.md"}

    dag = snakemake(build, "-n", "--configfile", SMOKE).stdout
    assert "rule e99_toy:" in dag and "rule e98_summary:" in dag
    snakemake(build, "--configfile", SMOKE)
    results = build / "results"
    means = pd.read_csv(results / "tables" / "e98_summary_means.csv")
    assert means["val_acc"].between(0, 1).all() and len(means) > 0
    norms = pd.read_csv(results / "tables" / "e99_toy_norms.csv")
    assert (norms["norm"] > 0).all() and list(norms["model"]) == ["gru"]
    assert (results / "figures" / "e99_toy.png").stat().st_size > 1000
    report = (results / "report.html").read_text()
    assert "E99: toy weight norms" in report and 'id="e99_toy"' in report
    assert "weights are not all zero" in report
    assert "E98: toy mean accuracy" in report and 'id="e98_summary"' in report
    assert "e99_toy_norms.csv" in (build / "docs" / "data-dictionary.md").read_text()
    paper = (results / "paper" / "paper.tex").read_text()
    assert r"\section{E99: toy weight norms}" in paper
    assert r"\val{experiments.e99_toy.largest}" in paper
    assert r"\claimstable{e98_summary}" in paper and (results / "paper.pdf").stat().st_size > 0


def test_a_job_function_gets_its_rules_named_files_and_only_the_settings_it_declares():
    from rnnstudy.jobs.runner import job_arguments

    def job(*, dataset, table, params, threads=1):
        pass

    settings = {"run": {"git_commit": "x"}, "threads": 2, "checkpoint": None}
    assert job_arguments(job, {"dataset": "d.npz"}, {"table": "t.csv"}, {"a": 1}, settings) == {
        "dataset": "d.npz", "table": "t.csv", "params": {"a": 1}, "threads": 2}
    with pytest.raises(TypeError, match=r"unexpected \['extra'\], missing \[\]"):
        job_arguments(job, {"dataset": "d", "extra": "e"}, {"table": "t"}, {}, settings)
    with pytest.raises(TypeError, match=r"missing \['table'\]"):
        job_arguments(job, {"dataset": "d"}, {}, {}, settings)
    with pytest.raises(ValueError, match="share the names"):
        job_arguments(job, {"table": "d"}, {"table": "t"}, {}, settings)
