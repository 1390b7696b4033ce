"""Job: the HTML report, from paper/report.md (Jinja2 + Markdown), numbers.json and figures.

Figures are embedded, so the report is one self-contained file.
"""
import base64
import json
import logging
from pathlib import Path

import jinja2
import markdown
from markupsafe import Markup

from ..atomic import write_text
from ..naming import MODEL_NAMES

log = logging.getLogger(__name__)


def build_report(*, template: str, page: str, sections: list[str], numbers: str,
                 figures: list[str], report: str, params: dict) -> None:
    """Render `template`, which includes the experiments' `sections` in order (files beside
    it, paper/sections/<id>.md), into `page`; `figures` are the PNGs of params["figures"],
    which the sections place by name."""
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
        return Markup(f'<figure id="{name}"><img alt="{name}" src="data:image/png;base64,'
                      f'{data}"><figcaption><b>{name}</b>: {caption}</figcaption></figure>')

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
