"""Telephone numbers in any written or spoken format, validated with ``phonenumbers``.

``PhoneNumberMatcher`` over whole transcripts is slow (it tries every digit position), so
candidates come from the shared digit-run scan and only those are checked: international
numbers ("+44 20 7946 0958", "plus 49 30 ...", "0044 ...") with ``phonenumbers``, national
ones against the North American plan (10 digits, optional leading 1) and the UK plan
(leading 0).  For North American numbers, validity is decided by area code and exchange;
the verdict per area code is asked of ``phonenumbers`` once and cached, because its region
lookup for +1 numbers costs more than all the other detectors together.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from pledge.pii.context import DigitRun, Doc
from pledge.pii.spans import Span

__all__ = ["find_phones", "is_phone_number"]

# An extension belongs to the number: "(212) 555-0147 x204", "... ext. 12", "extension 3".
_EXTENSION_RX = re.compile(r"[ \t]*,?[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6}\b")
_DATE_SHAPE = re.compile(r"^(?:\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{4}[-./]\d{1,2}[-./]\d{1,2})$")


@lru_cache(maxsize=1024)
def _nanp_area_valid(area: str) -> bool:
    parsed = phonenumbers.parse(f"+1{area}2345678")
    return bool(phonenumbers.is_valid_number(parsed))


@lru_cache(maxsize=4096)
def _valid(number: str, region: str | None, possible: bool = False) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    if possible and phonenumbers.is_possible_number(parsed):
        return True
    return bool(phonenumbers.is_valid_number(parsed))


def _nanp(digits: str) -> bool:
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return False
    return _nanp_area_valid(digits[:3])


def is_phone_number(digits: str, international: bool = False) -> bool:
    """True if *digits* is a valid number (country code first when *international*)."""
    if not 7 <= len(digits) <= 15 or not digits.isdigit():
        return False
    if international:
        # An explicit "+"/"plus" is strong evidence: a possible length for the country is
        # enough (new or unlisted ranges fail strict validation).
        return _valid("+" + digits, None, possible=True)
    if digits.startswith("00"):
        return _valid("+" + digits[2:], None)
    if digits.startswith("0"):
        return _valid(digits, "GB")
    return _nanp(digits)


def _plausible_shape(run: DigitRun, text: str) -> bool:
    if run.separators == "..." and len(run.groups) == 4:
        return False  # dotted quad: an IP address or a version
    if _DATE_SHAPE.match(text[run.start : run.end]):
        return False
    # Written numbers come in groups of 1-5 digits (or one block); long blocks mean IDs.
    longest = 8 if run.plus else 5
    return run.spoken or len(run.groups) == 1 or all(len(g) <= longest for g in run.groups[1:])


def find_phones(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    for run in doc.runs:
        if run.start in doc.negative or not _plausible_shape(run, doc.text):
            continue
        if is_phone_number(run.digits, international=run.plus):
            ext = _EXTENSION_RX.match(doc.low, run.end)
            spans.append(Span(run.start, ext.end() if ext else run.end, "PHONE"))
    return spans
