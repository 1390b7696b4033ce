"""Each figure's caption names its notebook and plotting module at the build's commit, and
the config's hash: links into the repository when it has a URL, else into the checkout."""
import re
import shutil

import pytest

from rnnstudy import grid
from rnnstudy.experiments import REGISTRY, configured
from rnnstudy.figure_links import figure_links
from rnnstudy.jobs.report import build_report

from conftest import ROOT, smoke_config

COMMIT = "0123456789abcdef0123456789abcdef01234567"
URL = "https://github.com/someone/rnnstudy"
CONFIG = smoke_config()


def test_links_name_the_notebook_and_the_plotting_module_at_the_commit():
    assert figure_links("e1_trainability", COMMIT, None) == [
        {"label": "paper/figures/e1_trainability.py @ 0123456789ab",
         "path": "paper/figures/e1_trainability.py", "url": None},
        {"label": "src/rnnstudy/plots/e1_trainability.py @ 0123456789ab",
         "path": "src/rnnstudy/plots/e1_trainability.py", "url": None}]
    assert [link["url"] for link in figure_links("e1_trainability", COMMIT, URL)] == [
        f"{URL}/blob/{COMMIT}/paper/figures/e1_trainability.py",
        f"{URL}/blob/{COMMIT}/src/rnnstudy/plots/e1_trainability.py"]


def test_outside_a_git_checkout_links_name_the_files_only():
    # no commit to point at: no URL either, whatever the config says
    assert figure_links("e5_landscape", "unknown", URL) == [
        {"label": "paper/figures/e5_landscape.py", "path": "paper/figures/e5_landscape.py",
         "url": None},
        {"label": "src/rnnstudy/plots/e5_landscape.py",
         "path": "src/rnnstudy/plots/e5_landscape.py", "url": None}]


def test_every_experiments_links_name_files_that_exist():
    for experiment in REGISTRY:
        for link in figure_links(experiment.id, COMMIT, None):
            assert (ROOT / link["path"]).is_file(), link


def code_lines(html: str) -> dict[str, str]:
    """figure name → the code line under its caption."""
    return dict(re.findall(r'<figure id="([^"]+)">.*?<span class="figure-code">(.*?)</span>',
                           html, re.S))


def hrefs(line: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', line)


@pytest.mark.parametrize("url", [None, URL])
def test_the_report_shows_each_figures_links(smoke_build, tmp_path, monkeypatch, url):
    """build_report on the smoke build's numbers and figures, in a directory of its own."""
    (tmp_path / "results").mkdir()
    shutil.copytree(smoke_build / "paper", tmp_path / "paper")
    shutil.copytree(smoke_build / "results" / "figures", tmp_path / "results" / "figures")
    shutil.copy(smoke_build / "results" / "tables" / "numbers.json", tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    figures = {f.name: f.notebook for f in grid.figures(CONFIG)}
    run = {"git_commit": COMMIT, "git_dirty": True, "config_hash": "feedfacecafebeef"}
    build_report(template="paper/report.md", page="paper/page.html",
                 sections=[f"paper/sections/{e.id}.md" for e in configured(CONFIG)],
                 numbers="results/numbers.json",
                 figures=[f"results/figures/{name}.png" for name in figures],
                 report="results/report.html",
                 params={"figures": figures, "repository_url": url}, run=run)

    lines = code_lines((tmp_path / "results" / "report.html").read_text())
    assert set(lines) == set(figures)
    for name, experiment in figures.items():
        line = lines[name]
        assert f"paper/figures/{experiment}.py @ 0123456789ab" in line
        assert f"src/rnnstudy/plots/{experiment}.py @ 0123456789ab" in line
        assert "with uncommitted changes; config feedfacecafebeef" in line
        if url:
            assert hrefs(line) == [link["url"] for link in figure_links(experiment, COMMIT, url)]
        else:
            # relative to the report: the files of the checkout it was built in
            assert hrefs(line) == [f"../paper/figures/{experiment}.py",
                                   f"../src/rnnstudy/plots/{experiment}.py"]


def test_the_pipelines_report_links_every_figure_to_the_checkout(smoke_build):
    """The smoke build's own report (the rule's params reach the job); its copy of the
    workflow is no git checkout, so the links name the files without a commit."""
    report = smoke_build / "results" / "report.html"
    lines = code_lines(report.read_text())
    figures = {f.name: f.notebook for f in grid.figures(CONFIG)}
    assert set(lines) == set(figures)
    for name, experiment in figures.items():
        assert hrefs(lines[name]) == [f"../paper/figures/{experiment}.py",
                                      f"../src/rnnstudy/plots/{experiment}.py"]
        assert all((report.parent / href).resolve().is_file() for href in hrefs(lines[name]))
