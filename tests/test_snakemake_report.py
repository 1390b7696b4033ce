"""Snakemake's own report (`snakemake --report report.zip`) of a finished smoke build: every
figure and table, filed under its experiment, with a caption naming the experiment."""
import json
import re
import zipfile
from pathlib import PurePosixPath

from rnnstudy import grid
from rnnstudy.experiments import BY_ID

from conftest import SMOKE, changed, smoke_config, snakemake, snapshot

CONFIG = smoke_config()


def report_items(archive: zipfile.ZipFile) -> dict:
    """The report's items, path → {labels, caption, …}: the JSON its page is built from."""
    html = archive.read("report/report.html").decode()
    return json.loads(re.search(r"var results = (\{.*?\});\n", html, re.S)[1])


def test_the_report_holds_every_figure_and_table_with_its_experiments_caption(
        build, tmp_path):
    before = snapshot(build)
    snakemake(build, "--configfile", SMOKE, "--report", str(tmp_path / "report.zip"))
    assert changed(before, snapshot(build)) == set()  # a report runs no job

    figures = grid.figures(CONFIG)
    tables = grid.tables(CONFIG)
    with zipfile.ZipFile(tmp_path / "report.zip") as archive:
        stored = [PurePosixPath(name) for name in archive.namelist()
                  if name.startswith("report/data/raw/")]
        items = report_items(archive)
    assert sorted(p.name for p in stored if p.suffix == ".png") == sorted(
        f"{f.name}.png" for f in figures)
    assert sorted(p.name for p in stored if p.suffix == ".csv") == sorted(
        f"{t}.csv" for t in tables)
    assert len(items) == len(figures) + len(tables)

    for figure in figures:
        item = items[f"results/figures/{figure.name}.png"]
        assert item["labels"]["figure"] == figure.name
        assert BY_ID[figure.notebook].title in item["caption"]
        assert f"paper/figures/{figure.notebook}.py" in item["caption"]
        assert f"src/rnnstudy/plots/{figure.notebook}.py" in item["caption"]
    experiment_of = {t: e.id for e in BY_ID.values() for t in e.table_names()}
    for table in tables:
        item = items[f"results/tables/{table}.csv"]
        assert item["labels"]["table"] == table
        assert BY_ID[experiment_of[table]].title in item["caption"]
        assert f"{table}.csv" in item["caption"]
