"""Compare the tables and verdicts of two builds (e.g. `kernels: fused` against `plain`).

    python tools/compare_builds.py BUILD_A BUILD_B [--tolerance 1e-4]

BUILD_A and BUILD_B are workflow directories (each with results/). For every table under
results/tables/ (and the robustness build's results/robustness/*/tables/) the two must have
the same columns and rows in the same order; the provenance columns (commit, config hash,
versions, device) are left out. Text columns must be equal; numeric columns are reported by
their largest absolute difference, and a table whose difference exceeds the tolerance is
listed with its worst columns. The verdicts of
numbers.json are compared claim by claim. Exit status 1 if any table or verdict differs
beyond the tolerance, so the comparison can gate a change of code path.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rnnstudy.provenance import COLUMNS  # noqa: E402


def table_difference(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float] | str:
    """Largest absolute difference per numeric column, or why the tables cannot be compared
    (other columns or rows, or a text column that differs)."""
    a, b = (t.drop(columns=[c for c in COLUMNS if c in t]) for t in (a, b))
    if list(a.columns) != list(b.columns):
        return f"columns differ: {sorted(set(a.columns) ^ set(b.columns))}"
    if len(a) != len(b):
        return f"{len(a)} rows against {len(b)}"
    differences = {}
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            x, y = x.to_numpy(float), y.to_numpy(float)
            both_nan = np.isnan(x) & np.isnan(y)
            if (np.isnan(x) != np.isnan(y)).any():
                differences[column] = float("inf")
            else:
                gap = np.abs(x - y)[~both_nan]
                differences[column] = float(gap.max()) if gap.size else 0.0
        elif not x.astype(str).equals(y.astype(str)):
            unequal = int((x.astype(str) != y.astype(str)).sum())
            return f"text column {column!r} differs in {unequal} of {len(x)} rows"
    return differences


def tables(build: Path) -> list[str]:
    results = build / "results"
    return sorted(str(p.relative_to(results)) for p in results.rglob("*.csv")
                  if p.parent.name == "tables")


def verdicts(build: Path) -> dict[str, str]:
    numbers = json.loads((build / "results" / "tables" / "numbers.json").read_text())
    return {f"{experiment}: {claim['claim']}": claim["verdict"]
            for experiment, result in numbers["experiments"].items()
            for claim in result["claims"]}


def compare(a: Path, b: Path, tolerance: float) -> int:
    names, others = tables(a), tables(b)
    failed = 0
    if names != others:
        print(f"tables differ: {sorted(set(names) ^ set(others))}")
        failed += 1
    equal, close = 0, 0
    for name in sorted(set(names) & set(others)):
        result = table_difference(pd.read_csv(a / "results" / name),
                                  pd.read_csv(b / "results" / name))
        if isinstance(result, str):
            print(f"{name}: {result}")
            failed += 1
            continue
        worst = max(result.values(), default=0.0)
        if worst == 0:
            equal += 1
        elif worst <= tolerance:
            close += 1
        else:
            failed += 1
            top = sorted(result.items(), key=lambda item: -item[1])[:4]
            print(f"{name}: " + ", ".join(f"{c} {d:.3g}" for c, d in top if d > tolerance))
    print(f"{len(names)} tables: {equal} equal, {close} within {tolerance:g}, "
          f"{failed} beyond it or not comparable")
    has_numbers = [(x / "results" / "tables" / "numbers.json").exists() for x in (a, b)]
    if not any(has_numbers):  # builds of some tables only: no verdicts on either side
        print("no numbers.json in either build: verdicts not compared")
        return 1 if failed else 0
    if not all(has_numbers):
        print("numbers.json is missing in one build only: its verdicts differ")
        return 1
    va, vb = verdicts(a), verdicts(b)
    changed = {claim: (va.get(claim), vb.get(claim)) for claim in va.keys() | vb.keys()
               if va.get(claim) != vb.get(claim)}
    for claim, (x, y) in sorted(changed.items()):
        print(f"verdict {claim}: {x} -> {y}")
    print(f"{len(va)} verdicts: {len(va) - len(changed)} the same, {len(changed)} changed")
    return 1 if failed or changed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args(argv)
    return compare(args.a, args.b, args.tolerance)


if __name__ == "__main__":
    sys.exit(main())
