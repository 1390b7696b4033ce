"""How Snakemake's own report (`snakemake --report report.zip`) files the figures and tables.

The rules mark each figure and table with `report()`: filed under its experiment (a
category), as a figure or a table (a subcategory), with labels the report shows in place of
the file name. The captions (workflow/report/*.rst) read the experiment's heading from the
labels, since a caption template sees the job (wildcards, params, config), not the registry.
"""
from .experiments import BY_ID

FIGURES, TABLES = "figures", "tables"  # the subcategories


def heading(experiment: str) -> str:
    """'E1: trainability': the experiment's number and title, as the report's sections say."""
    return f"{experiment.split('_')[0].upper()}: {BY_ID[experiment].title}"


def category(experiment: str) -> str:
    """'E01 trainability'. The report sorts categories as text, so the number is padded (E10
    would come before E2); the title is left out because every caption defines a link
    target named after each category, and a colon in a title would end that name."""
    number, name = experiment.split("_", 1)
    return f"E{int(number[1:]):02d} {name.replace('_', ' ')}"


def labels(kind: str, name: str, experiment: str, config: dict) -> dict:
    """A figure's or table's labels: `kind` ("figure" or "table") → its name, and its
    experiment's heading; for an experiment that trains, also the word vectors it was built
    with (the robustness build's tables share their names with the main build's, and the
    report turns a label with two values into a switch between them)."""
    found = {kind: name, "experiment": heading(experiment)}
    if BY_ID[experiment].trains:
        found["word vectors"] = config["model"]["embedding"]
    return found
