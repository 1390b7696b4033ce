"""Job: the HTML report, from paper/report.md (Jinja2 + Markdown), numbers.json and figures.

Figures are embedded, so the report is one self-contained file. Under each figure's caption
a line names its notebook and plotting module at the commit the report was built from, and
the config's hash (rnnstudy.figure_links).
"""
import base64
import json
import logging
import os
from pathlib import Path

import jinja2
import markdown
from markupsafe import Markup, escape

from ..atomic import write_text
from ..figure_links import figure_links
from ..naming import MODEL_NAMES

log = logging.getLogger(__name__)


def code_line(experiment: str, run: dict, repository_url: str | None, report: str) -> str:
    """HTML: the figure's notebook and plotting module at `run`'s commit, and its config
    hash. Without `repository_url` a link points to the file in the checkout, relative to
    `report` (a path from the workflow's directory, where jobs run)."""
    links = figure_links(experiment, run["git_commit"], repository_url)
    anchors = ", ".join(
        f'<a href="{escape(link["url"] or os.path.relpath(link["path"], Path(report).parent))}">'
        f'{escape(link["label"])}</a>' for link in links)
    dirty = " with uncommitted changes" if run["git_dirty"] is True else ""
    return (f'<span class="figure-code">code: {anchors}{dirty}; '
            f'config {escape(run["config_hash"])}</span>')


def build_report(*, template: str, page: str, sections: list[str], numbers: str,
                 figures: list[str], report: str, params: dict, run: dict) -> None:
    """Render `template`, which includes the experiments' `sections` in order (files beside
    it, paper/sections/<id>.md), into `page`; `figures` are the PNGs of params["figures"]
    (figure → its experiment), which the sections place by name. The figures' code links
    point to the commit of `run`, this job's provenance, not numbers.json's: the report
    reruns whenever a figure is redrawn, numbers.json does not, so the code at the report's
    commit is the code that drew every figure it shows (unless the checkout had uncommitted
    changes, which the line then says). They point under params["repository_url"] when
    given."""
    pngs = dict(zip(params["figures"], figures, strict=True))
    values = json.loads(Path(numbers).read_text(encoding="utf-8"))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(template).parent),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["model_name"] = MODEL_NAMES.__getitem__
    used = set()

    def figure(name: str, caption: str) -> Markup:
        used.add(name)
        data = base64.b64encode(Path(pngs[name]).read_bytes()).decode("ascii")
        code = code_line(params["figures"][name], run, params["repository_url"], report)
        return Markup(f'<figure id="{name}"><img alt="{name}" src="data:image/png;base64,'
                      f'{data}"><figcaption><b>{name}</b>: {caption}<br>{code}</figcaption>'
                      f'</figure>')

    text = environment.get_template(Path(template).name).render(
        n=values, figure=figure, figure_names=sorted(pngs),
        sections=[Path(s).relative_to(Path(template).parent).as_posix() for s in sections])
    unused = set(pngs) - used
    if unused:
        raise ValueError(f"the report template does not show figures {sorted(unused)}")
    body = markdown.markdown(text, extensions=["tables", "toc", "md_in_html"])
    html = environment.get_template(Path(page).name).render(body=Markup(body), n=values)
    write_text(report, html)
    log.info("report with %d figures written to %s", len(used), report)
