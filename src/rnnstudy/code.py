"""Which source files a job runs: the package modules its code imports, found in the code.

Snakemake reruns a job when one of its inputs is newer than its outputs. The rules list
these files as inputs, so a change to `training/trainer.py` retrains, a change to a plot
module redraws the figures whose notebooks import it, and a change to a file no job imports
(the README, a test) reruns nothing. The files are derived from `import` statements (read
with `ast`, never executed), so the list cannot fall out of date with the code.
"""
import ast
from functools import cache
from pathlib import Path

PACKAGE = "rnnstudy"


@cache  # every rule's code() reads the same modules: parse each once per Snakemake start
def _imports(path: Path, module: str) -> frozenset[str]:
    """Modules of the package that the file `path` (module `module`) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from package import name` may import a submodule `name`
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return frozenset(name for name in found if name == PACKAGE or name.startswith(PACKAGE + "."))


def _file_of(module: str, src: Path) -> Path | None:
    base = src.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None  # a name imported from a module, not a module


@cache
def _closure(start: tuple[tuple[Path, str], ...], src: Path) -> tuple[Path, ...]:
    seen: dict[str, Path] = {}
    todo = list(start)
    while todo:
        path, module = todo.pop()
        for name in _imports(path, module):
            # importing a.b.c runs a/__init__.py and a/b/__init__.py first
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                parent = ".".join(parts[:depth])
                if parent in seen:
                    continue
                file = _file_of(parent, src)
                if file is not None:
                    seen[parent] = file
                    todo.append((file, parent))
    return tuple(sorted(set(seen.values())))


def module_files(module: str, src: Path) -> list[Path]:
    """The files of package module `module` (e.g. 'rnnstudy.jobs.train') and of every
    package module it imports, directly or not; `src` holds the package folder."""
    src = Path(src).resolve()
    file = _file_of(module, src)
    if file is None:
        raise ValueError(f"no module {module} under {src}")
    return sorted({file, *_closure(((file, module),), src)})


def script_files(path: Path, src: Path) -> list[Path]:
    """The package files a script outside the package (a notebook) imports."""
    return list(_closure(((Path(path).resolve(), "__main__"),), Path(src).resolve()))
