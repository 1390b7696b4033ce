"""Verdicts on the seed's claims: a claim holds where every comparison it makes holds."""
from dataclasses import asdict, dataclass

HELD, PARTLY, NOT_HELD, UNTESTABLE = "held", "partly held", "not held", "not testable"


@dataclass
class Claim:
    claim: str  # the seed's claim, in short
    criterion: str  # how this run decides it
    measured: str  # what this run measured (numbers from the tables)
    verdict: str
    held: int = 0  # comparisons that held
    tested: int = 0  # comparisons made

    def as_dict(self) -> dict:
        return asdict(self)


def judge(outcomes: list[bool]) -> str:
    if not outcomes:
        return UNTESTABLE
    if all(outcomes):
        return HELD
    return PARTLY if any(outcomes) else NOT_HELD


def claim(text: str, criterion: str, measured: list[str], outcomes: list[bool]) -> dict:
    return Claim(text, criterion, "; ".join(measured) or "nothing to compare in this grid",
                 judge(outcomes), sum(outcomes), len(outcomes)).as_dict()


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"
