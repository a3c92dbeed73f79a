"""Telephone numbers in any written or spoken format, validated with ``phonenumbers``.

``PhoneNumberMatcher`` over whole transcripts is slow (it tries every digit position), so
candidates come from the shared digit-run scan and only those are checked:

* international numbers ("+44 20 7946 0958", "plus 49 30 ...", "0044 ...") with
  ``phonenumbers``;
* North American numbers (10 digits, optional leading 1): validity is decided by area code
  and exchange; the verdict per area code is asked of ``phonenumbers`` once and cached,
  because its region lookup for +1 numbers costs more than all the other detectors together;
* other national numbers: valid in one of the regions whose numbers customers commonly
  give (`REGIONS`: a leading trunk 0 for the UK, Germany, France, Australia, India, ...;
  ten digits from 6-9 for Indian mobiles).

Context then decides (issue #16): the nearest cue word before a number in its clause
(`accounts.nearest_cue`).  A look-alike cue ("complaint reference", "RMA", "serial")
rules it out; a phone cue ("mobile", "text me at", "whatsapp", "callback", "landline") or a
reply to an agent asking for a phone number relaxes validity to plausibility: a possible
length in one of the regions, a North American shape with an unassigned area code, or an
international number said without its "+" ("four four one six one ...").
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from pledge.pii.accounts import cue_after, nearest_cue
from pledge.pii.context import DigitRun, Doc
from pledge.pii.nanp_areas import NANP_AREAS
from pledge.pii.spans import Span

__all__ = ["REGIONS", "find_phones", "is_phone_number", "is_plausible_phone"]

# An extension belongs to the number: "(212) 555-0147 x204", "... ext. 12", "extension 3".
_EXTENSION_RX = re.compile(r"[ \t]*,?[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6}\b")
# A date, alone or with the hour of a time after it ("05-06-2024 10:30", "02 03 2024").
_DATE_SHAPE = re.compile(
    r"^(?:\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{1,2} \d{1,2} (?:19|20)\d\d"
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2})"
    r"(?:$|,?[ \t])"
)
_HOUR_AFTER = re.compile(r":\d\d")
# "Number" alone means a phone number when someone gives or asks for theirs ("my number
# is", "move my number", "a number in case we get cut off"); an account cue in between
# would be nearer and decide first.
_MY_NUMBER_RX = re.compile(r"\b(?:my|your|a|best|good|contact) number\b")
_CUE_WINDOW = 48
# National numbers with a trunk 0 are tried in these regions (the UK first, as before).
REGIONS: tuple[str, ...] = (
    "GB", "DE", "FR", "AU", "IN", "IE", "NL", "IT", "ES", "NZ", "ZA", "CH", "AT", "BE",
)  # fmt: skip


@lru_cache(maxsize=32)
def _regions_for(length: int) -> tuple[str, ...]:
    """The regions of `REGIONS` where a national number after the trunk 0 may have
    *length* digits: most numbers then need one ``phonenumbers`` parse, not fourteen."""
    out = []
    for region in REGIONS:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        lengths = meta.general_desc.possible_length if meta and meta.general_desc else ()
        if length in lengths:
            out.append(region)
    return tuple(out)


def _nanp_area_valid(area: str) -> bool:
    return area in NANP_AREAS


def _load_regions() -> None:
    """Load `REGIONS`' metadata and compile their number patterns now, at start-up (about
    30 ms): ``phonenumbers`` does both on first use, which would otherwise fall on the
    first transcripts with a number from each country."""
    for region in REGIONS:
        example = phonenumbers.example_number(region)
        if example is not None:
            phonenumbers.is_valid_number(example)


_load_regions()


@lru_cache(maxsize=4096)
def _valid(number: str, region: str | None, possible: bool = False) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    if possible and phonenumbers.is_possible_number(parsed):
        return True
    return bool(phonenumbers.is_valid_number(parsed))


def _nanp_assignable(area: str) -> bool:
    """An area code that may be dialled: not N11 (service codes), not 555 (fictional)."""
    return area[1:] != "11" and area != "555"


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
        return any(_valid(digits, region) for region in _regions_for(len(digits) - 1))
    if _nanp(digits):
        return True
    return len(digits) == 10 and digits[0] in "6789" and _valid(digits, "IN")


def is_plausible_phone(digits: str) -> bool:
    """A number someone said was theirs: a possible national number in `REGIONS`, a North
    American shape (area code and exchange from 2-9; the area code assigned or assignable),
    or a valid international number written without its "+"."""
    if not 7 <= len(digits) <= 15 or not digits.isdigit():
        return False
    if digits.startswith("0"):
        regions = _regions_for(len(digits) - 1)
        return any(_valid(digits, region, possible=True) for region in regions)
    nanp = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    if len(nanp) == 10 and nanp[0] not in "01" and nanp[3] not in "01":
        return _nanp_assignable(nanp[:3])
    return len(digits) >= 9 and _valid("+" + digits, None)


def _plausible_shape(run: DigitRun, text: str) -> bool:
    if run.separators == "..." and len(run.groups) == 4:
        return False  # dotted quad: an IP address or a version
    if _DATE_SHAPE.match(text[run.start : run.end] + " ") or _HOUR_AFTER.match(text, run.end):
        return False
    # Written numbers come in groups of 1-5 digits (or one block); long blocks mean IDs.
    longest = 12 if run.plus else 5
    if run.spoken or len(run.groups) == 1:
        return True
    if len(run.groups) == 2 and run.groups[0][0] == "0":
        longest = 8  # trunk code and subscriber number: "030 12345678", "07700 900123"
    return all(len(g) <= longest for g in run.groups[1:])


def _accepted(doc: Doc, run: DigitRun, end: int) -> bool:
    """Whether *run* (ending at *end* with its extension) is a phone number.

    The nearest cue first (a look-alike cue vetoes); then validity; then, after a phone
    cue or in a reply to a phone question, plausibility.  Cheapest tests first: each
    ``phonenumbers`` call costs more than a cue scan."""
    cue = nearest_cue(doc, run.start)
    if cue == "LOOKALIKE":
        return False
    if is_phone_number(run.digits, international=run.plus):
        return True
    if cue is None:
        cue = cue_after(doc, end)
    if cue is None:
        turn = doc.turn_at(run.start)
        before = doc.low[max(turn.body, run.start - _CUE_WINDOW) : run.start]
        asked = (not turn.is_agent and turn.topic == "PHONE") or bool(_MY_NUMBER_RX.search(before))
    else:
        asked = cue == "PHONE"
    return asked and is_plausible_phone(run.digits)


def find_phones(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    for run in doc.runs:
        if run.start in doc.negative or not _plausible_shape(run, doc.text):
            continue
        ext = _EXTENSION_RX.match(doc.low, run.end)
        end = ext.end() if ext else run.end
        if _accepted(doc, run, end):
            spans.append(Span(run.start, end, "PHONE"))
    return spans
