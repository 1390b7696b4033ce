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


def build_report(template_path: str, page_path: str, numbers_path: str,
                 figures: dict[str, str], report_path: str) -> None:
    """`figures` maps figure names to PNG paths; the template places them by name."""
    numbers = json.loads(Path(numbers_path).read_text(encoding="utf-8"))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(template_path).parent),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["model_name"] = MODEL_NAMES.__getitem__
    used = set()

    def figure(name: str, caption: str) -> Markup:
        used.add(name)
        data = base64.b64encode(Path(figures[name]).read_bytes()).decode("ascii")
        return Markup(f'<figure id="{name}"><img alt="{name}" src="data:image/png;base64,'
                      f'{data}"><figcaption><b>{name}</b>: {caption}</figcaption></figure>')

    text = environment.get_template(Path(template_path).name).render(
        n=numbers, figure=figure, figure_names=sorted(figures))
    unused = set(figures) - used
    if unused:
        raise ValueError(f"the report template does not show figures {sorted(unused)}")
    body = markdown.markdown(text, extensions=["tables", "toc", "md_in_html"])
    page = environment.get_template(Path(page_path).name).render(body=Markup(body), n=numbers)
    write_text(report_path, page)
    log.info("report with %d figures written to %s", len(used), report_path)
