"""The paper as a PDF: macros from numbers.json, no number typed in the text, the rules.

The pipeline tests build the PDF with the machine's LaTeX (`make test` installs it); without
it they skip, saying so, and in CI a skipped test fails.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rnnstudy import latex
from rnnstudy.claims.verdict import HELD, NOT_HELD, PARTLY, VERDICTS
from rnnstudy.errors import PipelineError
from rnnstudy.experiments import REGISTRY
from rnnstudy.jobs import paper

from conftest import ROOT, SMOKE, changed, planned, smoke_config, snakemake, snapshot

HAVE_LATEX = all(shutil.which(tool) for tool in ("latexmk", "pdflatex", "pdftoppm", "pdftotext"))
needs_latex = pytest.mark.skipif(not HAVE_LATEX, reason="LaTeX and poppler are not installed "
                                 "(`make test` installs them as root)")
SOURCES = [ROOT / "paper" / "paper.tex", *sorted((ROOT / "paper" / "sections").glob("*.tex"))]


def test_values_are_typeset_as_a_reader_expects():
    assert latex.format_value(7) == "7"
    assert latex.format_value(2020) == "2020"  # a seed, a year: not grouped
    assert latex.format_value(1_000_000) == "1{,}000{,}000"
    assert latex.format_value(0.87341) == "0.873"
    assert latex.format_value(1e-6) == r"\ensuremath{1\times 10^{-6}}"
    assert latex.format_value(-0.5) == r"\ensuremath{-}0.5"
    assert latex.format_value(3.0) == "3"
    assert latex.format_value(None) == "---"
    assert latex.format_value(True) == "yes"
    assert latex.format_value([2, 4, 8]) == "2, 4, 8"
    assert latex.format_percent(0.8734) == r"87.3\%"


def test_text_is_escaped_and_unknown_characters_are_refused():
    assert latex.escape("50% of a_b & {c} ≥ 2") == r"50\% of a\_b \& \{c\} ≥ 2"
    with pytest.raises(ValueError, match="U\\+263A"):
        latex.escape("☺")


def test_every_value_gets_a_macro_and_every_number_a_percentage():
    lines = latex.macro_definitions({"a": {"b": [1, 2], "c": 0.25, "d": "x_y"}, "e": None})
    defined = dict(re.findall(r"\\csname (\S+)\\endcsname\{(.*)\}$", line)[0] for line in lines)
    assert defined == {"rnv:a.b": "1, 2", "rnv:a.b.0": "1", "rnp:a.b.0": r"100.0\%",
                       "rnv:a.b.1": "2", "rnp:a.b.1": r"200.0\%", "rnv:a.c": "0.25",
                       "rnp:a.c": r"25.0\%", "rnv:a.d": r"x\_y", "rnv:e": "---"}


def _render(template: str, numbers: dict, tmp_path) -> str:
    (tmp_path / "t.tex").write_text(template)
    return latex.environment(tmp_path).get_template("t.tex").render(
        n=latex.Tracked(numbers))


def test_a_template_prints_macros_but_branches_on_values(tmp_path):
    numbers = {"runs": {"first": {"gru": {"acc": 0.9, "n": 3}}, "xor": {"gru": {"acc": 0.4,
                                                                               "n": 0}}}}
    text = _render("%% for task, m in n.runs.items()\n"
                   r"\VAR{task|tex}: \VAR{m.gru.n}, \VAR{m.gru.acc|pct}"
                   r"\BLOCK{if m.gru.acc > 0.5} (high)\BLOCK{endif}" "\n%% endfor\n",
                   numbers, tmp_path)
    assert text == ("first: \\val{runs.first.gru.n}, \\pct{runs.first.gru.acc} (high)\n"
                    "xor: \\val{runs.xor.gru.n}, \\pct{runs.xor.gru.acc}\n")
    with pytest.raises(Exception, match="no attribute .count"):
        _render(r"\VAR{n.runs.count}", numbers, tmp_path)
    with pytest.raises(TypeError, match="is a number"):
        _render(r"\VAR{n.runs.first.gru.n|tex}", numbers, tmp_path)


def test_the_digit_check_catches_typed_numbers_and_lets_citations_pass():
    assert latex.stray_digits(r"accuracy of 87.3\% on \val{config.data.train} sequences") == [
        r"accuracy of 87.3\% on   sequences"]
    assert latex.stray_digits("%% for x in loop\n" r"\VAR{x} of \VAR{y|length}" "\n") == []
    allowed = (r"(seed~001 \S V.A, Fig.~3-4; Collins et al.~\cite{collins2017}, 2017) E12"
               r" $\pm 1/\sqrt{H}$ \includegraphics[width=0.5\linewidth]{figures/e1_x}"
               "% a comment with 5 numbers 7\n"
               r"\newcommand{\rnfigure}[2]{#1 #2} \setlength{\tabcolsep}{3pt}")
    assert latex.stray_digits(allowed) == []
    assert latex.stray_digits(r"held in 3 of 4 cells") == ["held in 3 of 4 cells"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_sources_hold_no_number_typed_by_hand(source):
    assert latex.stray_digits(source.read_text(encoding="utf-8")) == []


def test_every_experiment_has_its_paper_section():
    assert {p.stem for p in (ROOT / "paper" / "sections").glob("*.tex")} == {
        e.id for e in REGISTRY}


def test_without_latex_the_pdf_job_says_in_one_line_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    with pytest.raises(PipelineError) as error:
        paper.compile_pdf(tmp_path)
    assert "\n" not in str(error.value) and "apt-get install latexmk" in str(error.value)


def _pages(pdf: Path, directory: Path) -> list[tuple[str, np.ndarray]]:
    """Each page's text and its picture (RGB) at 40 dpi."""
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(directory / "page")],
                   check=True)
    # -raw: in the order LaTeX set the text, so that a table's cell is not cut by its row
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout.split("\f")
    images = sorted(directory.glob("page-*.png"))
    assert len(images) == len(text) - 1  # pdftotext ends every page with a form feed
    return [(t, np.asarray(Image.open(p).convert("RGB"))) for t, p in
            zip(text[:-1], images, strict=True)]


@needs_latex
def test_the_pdf_shows_every_figure_and_every_verdict(smoke_build, tmp_path):
    results = smoke_build / "results"
    numbers = json.loads((results / "tables" / "numbers.json").read_text())
    pages = _pages(results / "paper.pdf", tmp_path)
    captions = [len(re.findall(r"Figure \d+:", t)) for t, _ in pages]
    assert sum(captions) == len(_figure_names())
    for (_, image), count in zip(pages, captions, strict=True):
        if count:  # a page with a figure is not blank (a page of text has 12-19% ink)
            assert (image.min(axis=2) < 250).mean() > 0.02
    words = re.sub(r"\s+", " ", " ".join(t for t, _ in pages))
    claims = [c for name in numbers["order"] for c in numbers["experiments"][name]["claims"]]
    # a verdict cell reads "held (2 of 3 testable…)" in its section, "held (2 of 3)" in the
    # table of all verdicts; "held" also ends "not held" and "partly held"
    shown = {v: len(re.findall(rf"\b{v} \(\d+ of \d+", words)) for v in VERDICTS}
    shown[HELD] -= shown[NOT_HELD] + shown[PARTLY]
    assert shown == {v: 2 * sum(c["verdict"] == v for c in claims) for v in VERDICTS}


def _figure_names() -> list[str]:
    from rnnstudy import grid
    return [f.name for f in grid.figures(smoke_config())]


@needs_latex
def test_the_rendered_paper_holds_no_typed_number(smoke_build):
    assert latex.stray_digits((smoke_build / "results" / "paper" / "paper.tex").read_text()) == []


@needs_latex
def test_editing_only_the_text_rebuilds_only_the_pdf(build):
    source = build / "paper" / "paper.tex"
    source.write_text(source.read_text().replace(r"\begin{abstract}",
                                                 "\\begin{abstract}\nAn edited abstract.", 1))
    assert planned(build) == {"paper": 1, "all": 1}
    before = snapshot(build)
    snakemake(build, "--configfile", SMOKE)
    assert changed(before, snapshot(build)) == {
        "results/paper.pdf", "results/paper/paper.tex", "results/paper/paper.bbl",
        "results/paper/links.tex", "results/logs/paper.log"}
    assert "An edited abstract." in (build / "results" / "paper" / "paper.tex").read_text()


@needs_latex
def test_the_arxiv_tarball_compiles_alone_with_pdflatex(build, tmp_path):
    snakemake(build, "results/arxiv.tar.gz", "--configfile", SMOKE)
    with tarfile.open(build / "results" / "arxiv.tar.gz") as tarball:
        names = set(tarball.getnames())
        tarball.extractall(tmp_path / "arxiv", filter="data")
    assert {"paper.tex", "numbers.tex", "links.tex", "paper.bbl"} <= names
    assert {f"figures/{name}.pdf" for name in _figure_names()} <= names
    for _ in range(2):  # as arXiv does: pdflatex alone, the .bbl given
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
                       cwd=tmp_path / "arxiv", check=True, capture_output=True)
    log = (tmp_path / "arxiv" / "paper.log").read_text(errors="replace")
    assert "undefined" not in log.lower()
    assert (tmp_path / "arxiv" / "paper.pdf").stat().st_size > 10_000


def _without_latex(tmp_path) -> dict:
    """The environment with PATH holding no LaTeX: the tools a build needs, linked."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("sh", "bash", "git", "env", "uname", "cat", "rm", "mkdir", "which"):
        if shutil.which(tool):
            (tools / tool).symlink_to(shutil.which(tool))
    return {**os.environ, "PATH": str(tools)}


@needs_latex
def test_without_latex_everything_but_the_pdf_builds(build, tmp_path):
    (build / "results" / "paper.pdf").unlink()
    (build / "results" / "report.html").unlink()
    done = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--configfile",
                           SMOKE], cwd=build, capture_output=True, text=True,
                          env=_without_latex(tmp_path))
    assert done.returncode != 0
    assert "the PDF needs LaTeX, which is not installed: run `make paper` as root" in done.stderr
    assert (build / "results" / "report.html").exists()
    assert not (build / "results" / "paper.pdf").exists()
