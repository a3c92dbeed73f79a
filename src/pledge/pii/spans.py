"""The span type every detector returns, and the one place overlaps are resolved.

Detectors run independently and may claim the same characters (a ten-digit order number is
also a valid phone number; a first name sits inside an e-mail address).  Rather than make
each detector aware of the others, they all emit candidate spans and `merge_spans` picks a
deterministic, non-overlapping subset.  A span holds offsets only, never the value, so that
result lists can be logged or stored without leaking personal data.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any, NamedTuple, Self

from mypy_extensions import mypyc_attr

__all__ = ["LABELS", "LABEL_PRIORITY", "Span", "merge_spans", "yield_to_emails"]

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


class _Fields(NamedTuple):
    start: int
    end: int
    label: str
    score: float = 1.0


@mypyc_attr(native_class=False)  # a tuple subclass is no mypyc native class
class Span(_Fields):
    """A detected piece of personal data: ``text[start:end]`` (Python str offsets).

    A named tuple rather than a frozen dataclass: detectors make thousands per transcript
    and a frozen dataclass sets each field through ``object.__setattr__``.  Immutable,
    hashable and ordered by (start, end, label, score) all the same.
    """

    __slots__ = ()

    def __new__(cls, start: int, end: int, label: str, score: float = 1.0) -> Span:
        if start < 0 or end <= start:
            raise ValueError(f"invalid span offsets {start}..{end}")
        return tuple.__new__(cls, (start, end, label, score))

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> Self:  # type: ignore[override]  # typeshed: generic _cls
        return cls(*iterable)  # validated, as a span made any other way

    def _replace(self, **changes: Any) -> Self:
        return type(self)(**{**self._asdict(), **changes})

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


def _rank(span: Span) -> tuple[bool, float, int, float, int, int, str]:
    # Sort key: best first.  Ties end on offsets and label so the order is total.  An e-mail
    # address comes before everything else: cut by a longer or surer overlapping span, its
    # other half stays in clear ("[PERSON]@ab.co"), and no other label is worse to lose part
    # of, because an address is an identifier on its own.
    return (
        span.label != "EMAIL",
        -span.score,
        -span.length,
        -LABEL_PRIORITY.get(span.label, 0),
        span.start,
        span.end,
        span.label,
    )


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Return a sorted, non-overlapping subset of *spans*.

    Greedy by rank: an EMAIL span first, then higher score, then longer, then higher label
    priority wins; a candidate that overlaps an already accepted span is dropped (the detector
    first trims candidates that run into an address, `yield_to_emails`, so little is lost).
    The result is independent of the input order, and
    ``merge_spans(merge_spans(x)) == merge_spans(x)``.

    O(n log n): the candidates are sorted once, and whether one overlaps an accepted span is
    a prefix-maximum query on a Fenwick tree indexed by start offset (the accepted span with
    the furthest end among those starting before the candidate ends), instead of a scan of
    every accepted span, which made a transcript of 160,000 characters take seconds.
    """
    ranked = sorted(set(spans), key=_rank)
    starts = sorted({span.start for span in ranked})
    position = {start: index + 1 for index, start in enumerate(starts)}  # 1-based for Fenwick
    furthest = _PrefixMax(len(starts))
    accepted: list[Span] = []
    for cand in ranked:
        # Accepted spans starting before cand.end are those at indexes 1..k; one of them
        # overlaps cand exactly when the furthest end among them lies beyond cand.start.
        if furthest.query(bisect_left(starts, cand.end)) > cand.start:
            continue
        accepted.append(cand)
        furthest.raise_to(position[cand.start], cand.end)
    accepted.sort()
    return accepted


class _PrefixMax:
    """A Fenwick tree of maxima over positions 1..size, all starting at 0 (ends are >= 1)."""

    __slots__ = ("_size", "_tree")

    def __init__(self, size: int) -> None:
        self._size = size
        self._tree = [0] * (size + 1)

    def raise_to(self, index: int, value: int) -> None:
        tree, size = self._tree, self._size
        while index <= size:
            if tree[index] < value:
                tree[index] = value
            index += index & -index

    def query(self, count: int) -> int:
        """The maximum over positions 1..count (0 when count is 0)."""
        tree, best = self._tree, 0
        while count > 0:
            if tree[count] > best:
                best = tree[count]
            count -= count & -count
        return best


# What is trimmed off a piece of a candidate where it meets an address ("Wallace." of
# "Christopher Wallace.jr@ab.co" leaves "Christopher").
_TRIM = " \t\r\n.,;:!?'\"-_()[]<>/\\"


def yield_to_emails(text: str, spans: list[Span]) -> list[Span]:
    """*spans* with every non-EMAIL span that overlaps an EMAIL span cut back to its parts
    outside every address, trimmed of spaces and punctuation where they were cut; a part with
    no letter or digit left is dropped.

    Why: a name detector sees "my name is Christopher Wallace@ab.co" as the name
    "Christopher Wallace", whose surname is the address's local part.  Whole, that span would
    beat the shorter address in the merge and leave "@ab.co" in clear; dropped, it would leave
    "Christopher" in clear.  Cut back, both are redacted under their own labels.

    O(n log m) for n spans and m addresses: addresses are merged into sorted disjoint
    intervals and each span finds the first one it could overlap by bisection.
    """
    intervals: list[list[int]] = []
    for start, end in sorted((s.start, s.end) for s in spans if s.label == "EMAIL"):
        if intervals and start <= intervals[-1][1]:
            intervals[-1][1] = max(intervals[-1][1], end)
        else:
            intervals.append([start, end])
    if not intervals:
        return spans
    ends = [end for _, end in intervals]
    out: list[Span] = []
    for span in spans:
        index = bisect_right(ends, span.start)
        if span.label == "EMAIL" or index == len(intervals) or intervals[index][0] >= span.end:
            out.append(span)
            continue
        pos = span.start
        while index < len(intervals) and intervals[index][0] < span.end:
            out += _trimmed(text, span, pos, intervals[index][0])
            pos = intervals[index][1]
            index += 1
        out += _trimmed(text, span, pos, span.end)
    return out


def _trimmed(text: str, span: Span, start: int, end: int) -> list[Span]:
    """The part start..end of *span*, trimmed only on a side where an address was cut off."""
    while start != span.start and start < end and text[start] in _TRIM:
        start += 1
    while end != span.end and end > start and text[end - 1] in _TRIM:
        end -= 1
    if not any(char.isalnum() for char in text[start:end]):
        return []
    return [Span(start, end, span.label, span.score)]
