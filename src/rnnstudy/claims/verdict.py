"""Verdicts on the seed's claims.

A claim is judged by comparisons (per task, shape or model), each `True` (holds), `False`
(does not) or `None` (not testable: nothing bears on it either way, e.g. nothing was
learned, or no model qualifies). The claim holds where every testable comparison holds, and
is not testable when no comparison is.
"""
from dataclasses import asdict, dataclass, field

HELD, PARTLY, NOT_HELD, UNTESTABLE = "held", "partly held", "not held", "not testable"
VERDICTS = (HELD, PARTLY, NOT_HELD, UNTESTABLE)


@dataclass
class Claim:
    claim: str  # the seed's claim, in short
    criterion: str  # how this run decides it, fixed before the numbers
    measured: str  # what this run measured (numbers from the tables, with intervals)
    verdict: str
    held: int = 0  # comparisons that held
    tested: int = 0  # comparisons with evidence either way
    untestable: int = 0  # comparisons without
    models: int = 0  # how many models (or settings) the verdict rests on
    unit: str = "trained models"  # what `models` counts
    keys: list[str] = field(default_factory=list)  # the config keys of the criterion

    def as_dict(self) -> dict:
        return asdict(self)


def judge(outcomes: list[bool | None]) -> str:
    tested = [o for o in outcomes if o is not None]
    if not tested:
        return UNTESTABLE
    if all(tested):
        return HELD
    return PARTLY if any(tested) else NOT_HELD


def claim(text: str, criterion: str, measured: list[str], outcomes: list[bool | None],
          keys: tuple[str, ...] = (), models: int = 0, unit: str = "trained models") -> dict:
    tested = [o for o in outcomes if o is not None]
    return Claim(text, criterion, "; ".join(measured) or "nothing to compare in this grid",
                 judge(outcomes), sum(tested), len(tested), len(outcomes) - len(tested),
                 models, unit, list(keys)).as_dict()


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"
