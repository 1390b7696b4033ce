"""Jobs: the paper as a PDF (pdflatex through latexmk), its macros, and its arXiv tarball.

`write_macros` turns numbers.json into one .tex file of `\\newcommand`s (every value, each
experiment's claims table, the verdicts and robustness tables, each figure's code links);
`build_paper` renders paper/paper.tex and its sections (Jinja over LaTeX, see rnnstudy.latex)
and compiles them with those macros, the bibliography and the figures' PDFs. Only this job
needs LaTeX: without it, it fails with one line saying what to install.
"""
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .. import latex
from ..atomic import atomic_path, write_text
from ..errors import PipelineError
from ..experiments import BY_ID
from ..figure_links import figure_links

log = logging.getLogger(__name__)

INSTALL = ("apt-get install latexmk texlive-latex-base texlive-latex-recommended "
           "texlive-fonts-recommended")
MACROS = "numbers.tex"
LINKS = "links.tex"
BIBLIOGRAPHY = "references.bib"

_PREAMBLE = r"""% Generated from numbers.json by rnnstudy.jobs.paper:write_macros. Do not edit.
\makeatletter
\newcommand{\rn@value}[2]{\ifcsname #1:#2\endcsname\csname #1:#2\endcsname\else
  \PackageError{rnnstudy}{numbers.json has no value '#2'}{A macro names a value the
  pipeline did not compute: check the key, or the config that built numbers.json.}\fi}
\newcommand{\val}[1]{\rn@value{rnv}{#1}}
\newcommand{\pct}[1]{\rn@value{rnp}{#1}}
\newcommand{\claimstable}[1]{\rn@value{rnc}{#1}}
\newcommand{\rnlinks}[1]{\rn@value{rnl}{#1}}
\makeatother
"""


def write_macros(*, numbers: str, macros: str, params: dict) -> None:
    """numbers.json → `macros`."""
    values = json.loads(Path(numbers).read_text(encoding="utf-8"))
    # the tables of all claims name each experiment by its number (its section's heading)
    titles = {name: name.split("_")[0].upper() for name in values["order"]}
    lines = [_PREAMBLE, *latex.unicode_declarations(), *latex.macro_definitions(values)]
    for name in values["order"]:
        lines.append(rf"\expandafter\newcommand\csname rnc:{name}\endcsname{{%"
                     f"\n{latex.claims_table(values['experiments'][name]['claims'])}}}")
    lines.append(rf"\newcommand{{\verdicttable}}{{%"
                 f"\n{latex.verdicts_table(values, titles)}}}")
    lines.append(rf"\newcommand{{\robustnesstable}}{{%"
                 f"\n{latex.robustness_table(values, titles)}}}")
    write_text(macros, "\n".join(lines) + "\n")
    log.info("%d macros written to %s", len(lines), macros)


def render_paper(template: str, numbers: dict, sections: list[str]) -> str:
    """paper/paper.tex rendered: its sections (paths relative to it) included in order."""
    directory = Path(template).parent
    environment = latex.environment(directory)
    return environment.get_template(Path(template).name).render(
        n=latex.Tracked(numbers), cfg=latex.Tracked(numbers["config"], "config"),
        sections=[Path(s).relative_to(directory).as_posix() for s in sections],
        titles={name: BY_ID[name].title for name in numbers["order"]})


def _latexmk() -> str:
    found = shutil.which("latexmk")
    if not found or not shutil.which("pdflatex"):
        raise PipelineError(f"the PDF needs LaTeX, which is not installed: run `make paper` as "
                            f"root, or `{INSTALL}`")
    return found


def _first_error(output: str) -> str:
    """The first LaTeX error of a log, with its file and line when LaTeX gave them."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^(\S+:\d+: |! )", line):
            detail = " ".join(x.strip() for x in lines[i + 1:i + 3] if x.strip())
            return f"{line.strip()} {detail}".strip()
    return lines[-1] if lines else "no output"


def compile_pdf(directory: Path, main: str = "paper.tex", bibtex: bool = True) -> Path:
    """Compile `main` in `directory` with latexmk and pdflatex (bibtex when asked); a LaTeX
    error is a PipelineError quoting it."""
    command = [_latexmk(), "-pdf", "-interaction=nonstopmode", "-halt-on-error",
               "-file-line-error", "-bibtex" if bibtex else "-bibtex-", main]
    # a fixed date (and so /ID): the same sources give the same PDF, byte for byte
    reproducible = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    done = subprocess.run(command, cwd=directory, capture_output=True, text=True,
                          errors="replace", env=reproducible)
    if done.returncode != 0:
        log.error("%s", done.stdout[-20000:])
        raise PipelineError(f"LaTeX failed on {main}: {_first_error(done.stdout)}")
    return directory / Path(main).with_suffix(".pdf")


def code_links(figures: dict[str, str], run: dict, repository_url: str | None) -> str:
    """Each figure's code line (`\\rnlinks`): its notebook and plotting module at the commit
    this job runs from (the figures were drawn by it or by code it still holds)."""
    return "\n".join(
        latex.link_macro(figure, figure_links(notebook, run["git_commit"], repository_url),
                         run["config_hash"]) for figure, notebook in figures.items()) + "\n"


def build_paper(*, template: str, sections: list[str], bibliography: str, numbers: str,
                macros: str, figures: list[str], pdf: str, tex: str, bbl: str, links: str,
                params: dict, run: dict) -> None:
    """Render and compile the paper; `figures` are the PDFs of params["figures"] (figure →
    its notebook). Besides the PDF, keep the rendered source, its .bbl and the code links
    (the arXiv tarball's)."""
    write_text(links, code_links(params["figures"], run, params["repository_url"]))
    values = json.loads(Path(numbers).read_text(encoding="utf-8"))
    text = render_paper(template, values, sections)
    stray = latex.stray_digits(text)
    if stray:
        log.warning("numbers typed in the text instead of macros: %s", stray[:5])
    with tempfile.TemporaryDirectory(prefix="paper-") as build:
        build = Path(build)
        shutil.copy(links, build / LINKS)
        _stage(build, text, macros, {name: path for name, path in
                                     zip(params["figures"], figures, strict=True)})
        shutil.copy(bibliography, build / BIBLIOGRAPHY)
        result = compile_pdf(build)
        for source, target in ((result, pdf), (build / "paper.tex", tex),
                               (build / "paper.bbl", bbl)):
            with atomic_path(target) as tmp:
                shutil.copy(source, tmp)
    log.info("paper written to %s", pdf)


def _stage(directory: Path, text: str, macros: str, figures: dict[str, str]) -> None:
    (directory / "figures").mkdir()
    (directory / "paper.tex").write_text(text, encoding="utf-8")
    shutil.copy(macros, directory / MACROS)
    for name, path in figures.items():
        shutil.copy(path, directory / "figures" / f"{name}.pdf")


def write_arxiv(*, tex: str, macros: str, bbl: str, links: str, figures: list[str], tarball: str,
                params: dict) -> None:
    """The paper as arXiv takes it: the rendered source, its macros, its .bbl and the
    figures, compiling with plain pdflatex (no bibtex, no pipeline)."""
    with atomic_path(tarball) as tmp, tarfile.open(tmp, "w:gz") as archive:
        def add(path, name):
            info = archive.gettarinfo(path, arcname=name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with open(path, "rb") as f:
                archive.addfile(info, f)
        add(tex, "paper.tex")
        add(macros, MACROS)
        add(bbl, "paper.bbl")
        add(links, LINKS)
        for name, path in sorted(zip(params["figures"], figures, strict=True)):
            add(path, f"figures/{name}.pdf")
    log.info("arXiv tarball written to %s", tarball)
