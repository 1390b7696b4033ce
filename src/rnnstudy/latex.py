"""The paper's LaTeX: numbers.json as macros, and templates that can only cite them.

Every value of numbers.json becomes a macro (`\\val{experiments.e1_trainability.runs}`
typesets the value at that path; `\\pct{...}` a fraction as a percentage), so the text
never holds a number typed by hand and a changed number rebuilds the PDF. The text itself
is a Jinja template with LaTeX-friendly delimiters (`\\BLOCK{...}`, `\\VAR{...}`, line
statements `%% for ...`), whose context is numbers.json *tracked*: printing a value prints
its macro, not the value, while `if` and `for` see the real values, so a section adapts to
whatever its config built.
"""
import logging
import math
import re
from collections.abc import Iterator, Mapping

import jinja2

from .naming import MODEL_NAMES, OPTIMIZER_NAMES

log = logging.getLogger(__name__)

# The characters outside ASCII that the text and the tables may use, as pdflatex spells
# them; declared in the generated preamble, so sources and values can hold them as such.
UNICODE = {
    "≥": r"\ensuremath{\geq}", "≤": r"\ensuremath{\leq}", "×": r"\ensuremath{\times}",
    "−": r"\ensuremath{-}", "±": r"\ensuremath{\pm}", "≈": r"\ensuremath{\approx}",
    "≠": r"\ensuremath{\neq}", "→": r"\ensuremath{\rightarrow}", "←": r"\ensuremath{\leftarrow}",
    "⊙": r"\ensuremath{\odot}", "·": r"\ensuremath{\cdot}", "√": r"\ensuremath{\surd}",
    "∞": r"\ensuremath{\infty}", "∈": r"\ensuremath{\in}", "∑": r"\ensuremath{\sum}",
    "⌊": r"\ensuremath{\lfloor}", "⌋": r"\ensuremath{\rfloor}", "‖": r"\ensuremath{\|}",
    "α": r"\ensuremath{\alpha}", "β": r"\ensuremath{\beta}", "γ": r"\ensuremath{\gamma}",
    "δ": r"\ensuremath{\delta}", "Δ": r"\ensuremath{\Delta}", "ε": r"\ensuremath{\varepsilon}",
    "η": r"\ensuremath{\eta}", "θ": r"\ensuremath{\theta}", "λ": r"\ensuremath{\lambda}",
    "μ": r"\ensuremath{\mu}", "ρ": r"\ensuremath{\rho}", "σ": r"\ensuremath{\sigma}",
    "τ": r"\ensuremath{\tau}", "φ": r"\ensuremath{\phi}", "χ": r"\ensuremath{\chi}",
    "²": r"\ensuremath{^2}", "³": r"\ensuremath{^3}", "⁻": r"\ensuremath{^-}",
    "¹": r"\ensuremath{^1}", "₀": r"\ensuremath{_0}", "₁": r"\ensuremath{_1}",
    "–": "--", "—": "---", "…": r"\ldots{}", "’": "'", "‘": "`", "“": "``", "”": "''",
    "↵": r"\ensuremath{\hookleftarrow}", "§": r"\S{}", "é": r"\'e", "ö": r"\"o", "ü": r"\"u",
    "\u00a0": "~",
}
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
            "#": r"\#", "%": r"\%", "_": r"\_", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
            "|": r"\textbar{}"}
# A macro's name: the value's path in numbers.json, dot-separated (shapes are keys: "2×4").
# Paths holding other characters get no macro rather than a broken one.
_PATH = re.compile(r"^[A-Za-z0-9_.:+\- ×]+$")
# LaTeX's own numbers aside, the digits a source may hold: citations of the sources'
# sections, figures and equations, the seeds' names, years, and what LaTeX itself needs.
ALLOWED_DIGITS = [
    r"\\(?:val|pct|key|cite[tp]?|ref|label|input|include|includegraphics|rnfigure|claimstable|"
    r"href|url|bibliography|bibliographystyle|usepackage|documentclass|rnlinks)"
    r"(?:\[[^\]]*\])?\{[^{}]*\}",                       # macro arguments: keys, labels, files
    r"^\s*%%.*$",                                        # template logic
    r"\\definecolor\{[^{}]*\}\{[^{}]*\}\{[^{}]*\}",        # colours: style, not numbers
    r"#\d", r"\\(?:re)?newcommand\{\\\w+\}\[\d\](?:\[[^\]]*\])?",         # a macro's parameters
    r"\$(?:[^$0-9]|(?<![0-9.])[12](?![0-9.]))*\$",       # formulas' constants: 1/√H, h^2
    r"(?<!\\)%.*$",                                     # comments
    r"\[[^\]]*(?:pt|cm|mm|in|em|ex|\\(?:line|text)width|\\textheight)[^\]]*\]",  # lengths
    r"\{[-0-9.]*\\(?:line|text|column)width\}", r"\{[-0-9.]+(?:pt|cm|mm|in|em|ex)\}",
    r"[Ss]eeds? ?~?\\?(?:\d{3})(?:[,/ ]+(?:and )?\d{3})*",  # the sources: seed 000 … seed 004
    r"\\S ?~?[IVX]+(?:\.[A-Z0-9]+)*",                   # their sections (§V.A)
    r"(?:Fig|Figs|Figure|Table|eq|Eq|eqs|Section|Sec)\.?~?\s?\d+(?:[-–,]\s?\d+)*",
    r"\b(?:19|20)\d\d\b",                               # years
    r"\bE\d{1,2}\b",                                    # the experiments' names
]
_ALLOWED = re.compile("|".join(f"(?:{p})" for p in ALLOWED_DIGITS), re.MULTILINE)
_TEMPLATE = re.compile(r"\\(?:VAR|BLOCK)\{[^{}]*\}")  # a template's values and inline logic


def escape(text: str) -> str:
    """`text` as LaTeX typesets it literally. Non-ASCII characters must be in UNICODE (the
    generated preamble declares them); another one is a ValueError naming it."""
    out = []
    for char in text:
        if char == "\n":  # in generated text (samples): shown, not a line break
            out.append(UNICODE["↵"])
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif ord(char) < 128 or char in UNICODE:
            out.append(char)
        else:
            raise ValueError(f"no LaTeX spelling for {char!r} (U+{ord(char):04X}) in {text!r};"
                             " add it to rnnstudy.latex.UNICODE")
    return "".join(out)


def format_value(value) -> str:
    """A value as the text shows it: integers grouped by thousands, other numbers to three
    significant digits, None as a dash."""
    if value is None:
        return "---"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):  # grouped from five digits on: a seed of 2020 stays 2020
        text = f"{value:,}" if abs(value) >= 10_000 else str(value)
        return text.replace(",", "{,}").replace("-", r"\ensuremath{-}")
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if math.isinf(value):
            return r"\ensuremath{-\infty}" if value < 0 else r"\ensuremath{\infty}"
        if value == int(value) and abs(value) >= 1:
            return format_value(int(value))
        text = f"{value:.3g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"\ensuremath{{{mantissa}\times 10^{{{int(exponent)}}}}}"
        return text.replace("-", r"\ensuremath{-}")
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(format_value(v) for v in value)
    raise TypeError(f"no text for a {type(value).__name__}")


def format_percent(value: float) -> str:
    return "---" if value is None else f"{100 * value:.1f}\\%"


def leaves(value, path: str = "") -> Iterator[tuple[str, object]]:
    """(path, value) of every value of a JSON tree, lists of scalars also whole."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from leaves(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            yield path, value
        for index, child in enumerate(value):
            yield from leaves(child, f"{path}.{index}")
    else:
        yield path, value


def _define(prefix: str, path: str, body: str) -> str:
    return rf"\expandafter\newcommand\csname {prefix}:{path}\endcsname{{{body}}}"


def macro_definitions(numbers: dict) -> list[str]:
    r"""`\newcommand`s for every value of `numbers` that has a printable path: `rnv:<path>`
    the value as the text shows it, and `rnp:<path>` a number as a percentage."""
    lines = []
    for path, value in leaves(numbers):
        if not _PATH.match(path):
            continue
        try:
            text = format_value(value)
        except ValueError as error:  # a character LaTeX cannot spell (a corpus's): marked
            log.warning("%s: %s", path, error)
            text = format_value("".join(c if ord(c) < 128 or c in UNICODE else "?"
                                        for c in value))
        lines.append(_define("rnv", path, text))
        if isinstance(value, int | float) and not isinstance(value, bool):
            lines.append(_define("rnp", path, format_percent(value)))
    return lines


def unicode_declarations() -> list[str]:
    return [rf"\DeclareUnicodeCharacter{{{ord(c):04X}}}{{{latex}}}"
            for c, latex in UNICODE.items()]


def _table(columns: list[tuple[str, str]], rows: list[list[str]]) -> str:
    """A longtable (it breaks across pages) with paragraph columns: (header, width)."""
    spec = "".join(f">{{\\raggedright\\arraybackslash}}p{{{w}\\linewidth}}" for _, w in columns)
    header = " & ".join(rf"\textbf{{{h}}}" for h, _ in columns) + r" \\ \midrule"
    body = "\n".join(" & ".join(r) + r" \\" for r in rows)
    return (f"{{\\small\\setlength{{\\tabcolsep}}{{3pt}}\\begin{{longtable}}{{{spec}}}\\toprule\n"
            f"{header}\\endhead\n{body}\n\\bottomrule\\end{{longtable}}}}")


def verdict(text: str) -> str:
    return rf"\verdict{{{escape(text)}}}"


def claims_table(claims: list[dict]) -> str:
    """An experiment's claims: the seed's claim, how this run decides it, what it measured,
    the verdict and its evidence."""
    rows = []
    for c in claims:
        keys = ", ".join(rf"\key{{{k}}}" if re.fullmatch(r"[\w.]+", k) else escape(k)
                         for k in c.get("keys", []))
        evidence = f"{c['held']} of {c['tested']} testable"
        if c.get("untestable"):
            evidence += f", {c['untestable']} not testable"
        if c.get("models"):
            evidence += f"; {format_value(int(c['models']))} {escape(c.get('unit', 'models'))}"
        rows.append([escape(c["claim"]),
                     escape(c["criterion"]) + (f" ({keys})" if keys else ""),
                     escape(c["measured"]), f"{verdict(c['verdict'])} ({evidence})"])
    return _table([("seed's claim", "0.22"), ("how this run decides it", "0.27"),
                   ("measured", "0.27"), ("verdict", "0.16")], rows)


def verdicts_table(numbers: dict, titles: dict[str, str]) -> str:
    """Every claim of every experiment, in the paper's order, with its verdict."""
    rows = [[escape(titles.get(name, name)), escape(c["claim"]), escape(c["measured"]),
             f"{verdict(c['verdict'])} ({c['held']} of {c['tested']})"]
            for name in numbers["order"] for c in numbers["experiments"][name]["claims"]]
    return _table([("", "0.05"), ("seed's claim", "0.40"), ("measured", "0.38"),
                   ("verdict", "0.10")], rows)


def robustness_table(numbers: dict, titles: dict[str, str]) -> str:
    """Each claim's verdict under the report's choice and under every other choice."""
    rows = numbers["robustness"]
    if not rows:
        return ""
    choices = list(rows[0]["choices"])
    own = f"embedding: {numbers['config']['model']['embedding']}"

    def cell(r):
        models = f", {format_value(int(r['models']))} models" if r.get("models") else ""
        return f"{verdict(r['verdict'])} ({r['held']}/{r['tested']}{models})"

    body = [[escape(titles.get(r["experiment"], r["experiment"])), escape(r["claim"]), cell(r),
             *(cell(r["choices"][c]) if c in r["choices"] else "---" for c in choices),
             r"\textbf{yes}" if r["changed"] else "no"] for r in rows]
    width = 0.40 / (len(choices) + 1)
    return _table([("", "0.05"), ("seed's claim", "0.40"), (escape(own), f"{width:.2f}"),
                   *((escape(c), f"{width:.2f}") for c in choices), ("changes", "0.07")], body)


def link_macro(figure: str, links: list[dict], config_hash: str) -> str:
    """The line under a figure's caption: its notebook and plotting module at the build's
    commit (links when they have a URL), and the config's hash."""
    parts = [rf"\href{{{link['url']}}}{{\texttt{{{escape(link['label'])}}}}}" if link.get("url")
             else rf"\texttt{{{escape(link['label'])}}}" for link in links]
    body = (r"{\footnotesize\color{gray} code: " + ", ".join(parts)
            + rf"; config \texttt{{{escape(config_hash)}}}}}")
    return _define("rnl", figure, body)


class Tracked:
    """A value of numbers.json that remembers its path. Printed, it is its macro; tested,
    compared or iterated, it is its value (so templates branch and loop on real values)."""

    __slots__ = ("value", "path")

    def __init__(self, value, path: str = ""):
        self.value = value
        self.path = path

    def _child(self, key) -> "Tracked":
        return Tracked(self.value[key], f"{self.path}.{key}" if self.path else str(key))

    def __getitem__(self, key) -> "Tracked":
        return self._child(key)

    def __getattr__(self, name: str) -> "Tracked":
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._child(name)
        except (KeyError, TypeError, IndexError):
            raise AttributeError(f"numbers.json has no {self.path}.{name}") from None

    def get(self, key, default=None):
        return self._child(key) if key in self.value else default

    def items(self):
        return [(k, self._child(k)) for k in self.value]

    def keys(self):
        return list(self.value)

    def values(self):
        return [self._child(k) for k in self.value]

    def __iter__(self):
        if isinstance(self.value, Mapping):
            return iter(list(self.value))
        return iter([self._child(i) for i in range(len(self.value))])

    def __len__(self) -> int:
        return len(self.value)

    def __contains__(self, item) -> bool:
        return _plain(item) in self.value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other) -> bool:
        return self.value == _plain(other)

    def __hash__(self):
        return hash(self.value)

    def __lt__(self, other):
        return self.value < _plain(other)

    def __le__(self, other):
        return self.value <= _plain(other)

    def __gt__(self, other):
        return self.value > _plain(other)

    def __ge__(self, other):
        return self.value >= _plain(other)

    def __str__(self) -> str:
        return rf"\val{{{self.path}}}"


def _plain(value):
    return value.value if isinstance(value, Tracked) else value


def _percent(value) -> str:
    if not isinstance(value, Tracked):
        raise TypeError("pct takes a value of numbers.json (a number typed in the text is not)")
    return rf"\pct{{{value.path}}}"


def _name(key, names: dict) -> str:
    return escape(names.get(_plain(key), _text(key)))


def _text(value) -> str:
    """A name (a task, a model, a choice) as it is: numbers must be macros instead."""
    value = _plain(value)
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is a number: print the value itself, which is its macro")
    return value


def environment(directory) -> jinja2.Environment:
    """Jinja for LaTeX sources in `directory`: `\\BLOCK{}` statements, `\\VAR{}` values,
    `%%` line statements, `%#` line comments; an unknown name or key is an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory), undefined=jinja2.StrictUndefined,
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        line_statement_prefix="%%", line_comment_prefix="%#",
        trim_blocks=False, lstrip_blocks=True, autoescape=False, keep_trailing_newline=True)
    env.filters["pct"] = _percent
    env.filters["model_name"] = lambda key: _name(key, MODEL_NAMES)
    env.filters["optimizer_name"] = lambda key: _name(key, OPTIMIZER_NAMES)
    env.filters["tex"] = lambda text: escape(_text(text))
    env.filters["name"] = _text  # for file names and labels: not escaped
    return env


def stray_digits(source: str) -> list[str]:
    """The lines of a LaTeX source (or of its rendered text) holding a digit that is not a
    macro's key, a citation of a source, a year or a length: a number that should have been
    a macro."""
    stripped = _ALLOWED.sub(" ", _TEMPLATE.sub("X", source))
    return [line.strip() for line in stripped.splitlines() if re.search(r"\d", line)]
