"""The span type every detector returns, and the one place overlaps are resolved.

Detectors run independently and may claim the same characters (a ten-digit order number is
also a valid phone number; a first name sits inside an e-mail address).  Rather than make
each detector aware of the others, they all emit candidate spans and `merge_spans` picks a
deterministic, non-overlapping subset.  A span holds offsets only, never the value, so that
result lists can be logged or stored without leaking personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LABELS", "LABEL_PRIORITY", "Span", "merge_spans"]

LABELS: tuple[str, ...] = (
    "PERSON",
    "EMAIL",
    "PHONE",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "US_SSN",
    "DATE_OF_BIRTH",
    "IP_ADDRESS",
    "ACCOUNT_ID",
)

# Higher wins when two candidates cover exactly the same length.  Validated, structured
# formats (e-mail, card, SSN) outrank context-driven ones; PERSON comes last because name
# evidence is the weakest.
LABEL_PRIORITY: dict[str, int] = {
    "EMAIL": 90,
    "CREDIT_CARD": 80,
    "US_SSN": 75,
    "IP_ADDRESS": 70,
    "ACCOUNT_ID": 60,
    "DATE_OF_BIRTH": 55,
    "PHONE": 50,
    "STREET_ADDRESS": 40,
    "PERSON": 30,
}


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A detected piece of personal data: ``text[start:end]`` (Python str offsets)."""

    start: int
    end: int
    label: str
    score: float = 1.0

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"invalid span offsets {self.start}..{self.end}")

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


def _rank(span: Span) -> tuple[float, int, float, int, int, str]:
    # Sort key: best first.  Ties end on offsets and label so the order is total.
    return (
        -span.score,
        -span.length,
        -LABEL_PRIORITY.get(span.label, 0),
        span.start,
        span.end,
        span.label,
    )


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Return a sorted, non-overlapping subset of *spans*.

    Greedy by rank: higher score, then longer, then higher label priority wins; a candidate
    that overlaps an already accepted span is dropped.  The result is independent of the input
    order and ``merge_spans(merge_spans(x)) == merge_spans(x)``.
    """
    accepted: list[Span] = []
    for cand in sorted(set(spans), key=_rank):
        if not any(cand.overlaps(a) for a in accepted):
            accepted.append(cand)
    accepted.sort()
    return accepted
