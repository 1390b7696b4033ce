"""Write docs/data-dictionary.md from the table definitions, so it never drifts from them.

    python tools/data_dictionary.py          # rewrite docs/data-dictionary.md
    python tools/data_dictionary.py --check  # exit 1 if it is out of date (the tests do this)
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rnnstudy.analysis.tables import EPOCHS, MEMBERS  # noqa: E402
from rnnstudy.experiments import REGISTRY  # noqa: E402
from rnnstudy.provenance import PROVENANCE  # noqa: E402

TARGET = ROOT / "docs" / "data-dictionary.md"


def table(columns: dict[str, str]) -> str:
    rows = "\n".join(f"| `{name}` | {meaning} |" for name, meaning in columns.items())
    return "| column | meaning |\n|---|---|\n" + rows + "\n"


def dictionary() -> str:
    parts = [
        "# Data dictionary\n",
        "The tables under `results/tables/`, column by column. Generated from the table "
        "definitions (`src/rnnstudy/analysis/tables.py` and the registry, "
        "`src/rnnstudy/experiments.py`) by `python tools/data_dictionary.py`; do not edit "
        "by hand. Every table ends with the provenance columns (last section).\n",
        "## `{experiment}.csv`: one row per trained member\n",
        "Written by every experiment that trains: "
        + ", ".join(f"`{e.id}`" for e in REGISTRY if e.trains) + ".\n",
        table(MEMBERS),
        "## `{experiment}_epochs.csv`: one row per member per epoch\n",
        table(EPOCHS),
    ]
    for experiment in REGISTRY:
        for key, columns in experiment.tables.items():
            parts += [f"## `{experiment.id}_{key}.csv`\n",
                      f"{experiment.id.split('_')[0].upper()}, {experiment.title} "
                      f"({experiment.source}).\n", table(columns)]
    parts += ["## Provenance columns\n",
              "Last in every table and dataset summary: where the row came from.\n",
              table(PROVENANCE)]
    return "\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    text = dictionary()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python tools/data_dictionary.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
