"""Street addresses: house number, street name, street type, then optional unit, city,
state and ZIP (or a UK postcode).

The street-type word is the anchor ("12 Oak Street", "508 dogwood road"), which keeps
"13 business days" or "64 dollars" out.  What follows is taken greedily only while it still
looks like an address: a unit ("Apt 4B", "Suite 220", "#968"), a city before a state name
or abbreviation, and a ZIP or postcode.  Works in lower case for call transcripts.
"""

from __future__ import annotations

import re

from pledge.pii.context import Doc, literal_trie_pattern, word_cue_pattern, word_cues
from pledge.pii.spans import Span

__all__ = ["find_addresses"]

_SUFFIXES = (
    "street st avenue ave av road rd boulevard blvd lane ln drive dr court ct way place pl "
    "terrace ter terr circle cir parkway pkwy highway hwy route rte square sq trail trl "
    "crescent cres close loop alley aly row plaza plz point pt pike path walk run crossing "
    "xing grove gr gardens gdns mews green park hill expressway expy freeway fwy turnpike tpke "
    "broadway esplanade causeway"
).split()
_STATES = [
    *(
        "alabama alaska arizona arkansas california colorado connecticut delaware florida "
        "georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland "
        "massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio "
        "oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington "
        "wisconsin wyoming"
    ).split(),
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "rhode island",
    "south carolina",
    "south dakota",
    "west virginia",
    "district of columbia",
]
_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR"
).split()

_WORD = r"(?:[^\W\d_][\w'’.-]*|\d+(?:st|nd|rd|th))"
_STOP = (
    r"(?!(?:the|a|an|and|or|to|of|for|is|was|will|be|in|on|at|my|your|our|it|its|that|this|"
    r"with|from|by|via|business|days?|dollars?|cents|items?|minutes?|hours?|percent|off|am|pm)\b)"
)
_SUFFIX = r"(?:" + literal_trie_pattern(_SUFFIXES) + r")\.?"
_DIRECTION = (
    r"(?:[NSEW]\.?|north|south|east|west|northeast|northwest|southeast|southwest|NE|NW|SE|SW)"
)
_UNIT = (
    r"(?:,?\s+(?:apt\.?|apartment|suite|ste\.?|unit|fl\.?|floor|room|rm\.?|bldg\.?|building|#)"
    r"\s*#?\s*[\w-]{1,6})"
)
_STATE = (
    r"(?:"
    + literal_trie_pattern(_STATES).replace(r"\ ", r"\s+")
    + r"|(?-i:"
    + literal_trie_pattern(_STATE_CODES)
    + r")|(?-i:(?:"
    + literal_trie_pattern([c.lower() for c in _STATE_CODES])
    + r"))(?=\s+\d{5}))"
)
_ZIP = r"\d{5}(?:-\d{4})?"
_UK_POSTCODE = r"(?-i:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})"
_CITY = r"(?:[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,2}?)"

_ADDRESS_PATTERN = (
    rf"\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?\s+(?:{_DIRECTION}\s+)?"
    rf"(?:{_STOP}{_WORD}\s+){{0,3}}{_STOP}{_WORD}\s+{_SUFFIX}(?:\s+{_DIRECTION}\b)?"
    rf"(?!\w)(?P<unit>{_UNIT})?"
    rf"(?P<tail>(?:,?\s+{_CITY},?\s+{_STATE}\b(?:,?\s+{_ZIP})?)|(?:,?\s+{_STATE},?\s+{_ZIP})"
    rf"|(?:,?\s+{_CITY},?\s+{_UK_POSTCODE})|(?:,?\s+{_ZIP}))?(?![\w-])"
)
# Addresses never cross a line (a turn boundary): horizontal whitespace only.  The pattern
# starts with a digit so the engine can skip ahead; the character before is checked in code.
_ADDRESS_RX = re.compile(_ADDRESS_PATTERN.replace(r"\s", r"[ \t]"), re.IGNORECASE)
_BAD_BEFORE = frozenset("$#.,-_")
_SUFFIX_SCAN = word_cue_pattern(_SUFFIXES)
_PO_BOX_RX = re.compile(
    rf"\b(?:p\.?\s?o\.?\s?box|post office box)\s+\d{{1,6}}"
    rf"(?:,?\s+{_CITY},?\s+{_STATE}\b(?:,?\s+{_ZIP})?)?",
    re.IGNORECASE,
)


def find_addresses(doc: Doc) -> list[Span]:
    """Only turns that contain a street-type word (after a space, as in the full pattern)
    are scanned with the full pattern."""
    text = doc.text
    spans: list[Span] = []
    low = doc.low
    turns = set()
    for pos, word in word_cues(doc.spaced, _SUFFIX_SCAN):
        end = pos + len(word)
        end += low.startswith(".", end)
        if pos and (end >= len(low) or not (low[end].isalnum() or low[end] == "_")):
            turns.add(doc.turn_at(pos))
    for turn in sorted(turns):
        for m in _ADDRESS_RX.finditer(text, turn.body, turn.end):
            s = m.start()
            if s and (text[s - 1].isalnum() or text[s - 1] in _BAD_BEFORE):
                continue
            spans.append(Span(s, m.end(), "STREET_ADDRESS"))
    if "box" in doc.low:
        spans.extend(Span(m.start(), m.end(), "STREET_ADDRESS") for m in _PO_BOX_RX.finditer(text))
    return spans
