"""Where a figure's code is: its notebook and its plotting module, at the build's commit.

The report's captions (rnnstudy.jobs.report) and the paper's (rnnstudy.jobs.paper) carry a
line naming them, as `path @ commit`, so a reader can find the code that drew a figure.
"""

NOTEBOOK = "paper/figures/{}.py"
PLOTS = "src/rnnstudy/plots/{}.py"
UNKNOWN = "unknown"  # the commit outside a git checkout (rnnstudy.provenance)


def figure_links(experiment: str, commit: str, repository_url: str | None) -> list[dict]:
    """The notebook and plotting module of `experiment`'s figures, each a dict of `label`
    (`path @ commit[:12]`), `path` (relative to the repository root) and `url`: the file at
    `commit` under `repository_url` (`<url>/blob/<commit>/<path>`), or None without a URL
    or a known commit (a document then links the file in its checkout, if it can)."""
    links = []
    for template in (NOTEBOOK, PLOTS):
        path = template.format(experiment)
        known = commit != UNKNOWN
        links.append({
            "label": f"{path} @ {commit[:12]}" if known else path,
            "path": path,
            "url": f"{repository_url}/blob/{commit}/{path}" if repository_url and known
            else None,
        })
    return links
