"""The detector: runs every family over a transcript and merges the results.

All regular expressions are compiled at import time, so constructing a `Detector` is cheap
and `detect` does no per-call set-up beyond splitting turns and scanning digit runs once
(cards, SSNs, phones and the look-alike filter all share that scan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pledge.pii.accounts import find_accounts
from pledge.pii.addresses import find_addresses
from pledge.pii.cards import find_cards
from pledge.pii.context import Doc, make_doc
from pledge.pii.dates import find_birth_dates
from pledge.pii.emails import find_emails
from pledge.pii.ip import find_ips
from pledge.pii.names import find_names
from pledge.pii.phones import find_phones
from pledge.pii.spans import LABELS, Span, merge_spans, yield_to_emails
from pledge.pii.ssn import find_ssns
from pledge.pii.uncued import find_uncued_accounts

__all__ = ["Detector", "detect"]

_FAMILIES: tuple[Callable[[Doc], list[Span]], ...] = (
    find_emails,
    find_ips,
    find_cards,
    find_ssns,
    find_phones,
    find_accounts,
    find_birth_dates,
    find_addresses,
    find_names,
)


class Detector:
    """Finds personal data in customer-service transcripts.

    ``labels`` restricts the output to some of `LABELS` (all by default).  Instances hold no
    per-call state and may be shared between threads.
    """

    def __init__(self, labels: Iterable[str] | None = None) -> None:
        wanted = frozenset(LABELS if labels is None else labels)
        unknown = wanted - frozenset(LABELS)
        if unknown:
            raise ValueError(f"unknown PII labels: {sorted(unknown)}")
        self.labels = wanted

    def detect(self, text: str) -> list[Span]:
        """Sorted, non-overlapping spans of *text* (Python str offsets)."""
        if not text:
            return []
        doc = make_doc(text)
        candidates: list[Span] = []
        for family in _FAMILIES:
            candidates += family(doc)
        candidates += find_uncued_accounts(doc, candidates)
        merged = merge_spans(yield_to_emails(text, candidates))
        return [s for s in merged if s.label in self.labels]

    __call__: Callable[[Detector, str], list[Span]] = detect


_default: Detector | None = None


def detect(text: str) -> list[Span]:
    """Detect with a shared default `Detector` (created on first use)."""
    global _default
    if _default is None:
        _default = Detector()
    return _default.detect(text)
