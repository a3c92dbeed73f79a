"""Payment card numbers: 13-19 digits that pass the Luhn check.

Candidates come from the shared digit-run scan, so a 22-digit tracking number is one run
and can never yield a Luhn-valid 16-digit slice.  Runs right after a tracking/case cue are
rejected even if they happen to pass Luhn.
"""

from __future__ import annotations

from stdnum import luhn

from pledge.pii.accounts import nearest_cue
from pledge.pii.context import DigitRun, Doc
from pledge.pii.spans import Span

__all__ = ["find_cards", "is_card_number"]


def is_card_number(digits: str) -> bool:
    """Length 13-19, Luhn-valid, and not a run of one repeated digit."""
    return (
        13 <= len(digits) <= 19
        and digits.isdigit()
        and len(set(digits)) > 1
        and bool(luhn.is_valid(digits))
    )


def _card_grouping(run: DigitRun) -> bool:
    # Written cards are one block, single dictated digits, or groups of 3-6
    # ("4111 1111 1111 1111", Amex "3782 822463 10005").
    if run.spoken or len(run.groups) == 1 or all(len(g) == 1 for g in run.groups):
        return True
    return all(3 <= len(g) <= 6 for g in run.groups)


def find_cards(doc: Doc) -> list[Span]:
    """Luhn-valid runs grouped as cards are, unless the nearest cue names an identifier
    or a look-alike ("IMEI 490154203237518" and order numbers pass the Luhn check too)."""
    return [
        Span(r.start, r.end, "CREDIT_CARD")
        for r in doc.runs
        if r.start not in doc.negative
        and not r.plus
        and _card_grouping(r)
        and is_card_number(r.digits)
        and nearest_cue(doc, r.start) not in ("LOOKALIKE", "ACCOUNT")
    ]
