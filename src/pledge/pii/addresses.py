"""Street addresses: house number, street name, street type, then optional unit, city,
region and postal code; the same with the unit first ("Flat 3, 12 Baker Street", "Level 5,
100 Collins St"); continental shapes (`address_shapes`); PO boxes and rural routes.

The street-type word is the anchor ("12 Oak Street", "508 dogwood road"), which keeps
"13 business days" or "64 dollars" out.  A *weak* type, which is also an everyday word
("5 bonus points", "2 new garden chairs"), makes an address only with more evidence: a
unit, a city/region/postcode tail, a Title Case street name ("4417 Maple Hollow"), or a
turn that gives an address (an answer to an address question, or "my address is", "ship
to", "I live at" before it).  House numbers may be spoken in ASR text ("one two three main
street").  Works in lower case for call transcripts.
"""

from __future__ import annotations

import re

from pledge.pii.address_shapes import TYPE_WORDS, find_continental
from pledge.pii.address_words import (
    AU_STATE_CODES,
    AU_STATES,
    CA_PROVINCE_CODES,
    CA_PROVINCES,
    STRONG_SUFFIXES,
    US_STATE_CODES,
    US_STATES,
    WEAK_SUFFIXES,
)
from pledge.pii.context import Doc, Turn, literal_trie_pattern, word_cues
from pledge.pii.spans import Span

__all__ = ["find_addresses", "gives_address"]

_STRONG = frozenset(STRONG_SUFFIXES)
_SUFFIXES = sorted(_STRONG | frozenset(WEAK_SUFFIXES))
_SUFFIX_SET = frozenset(_SUFFIXES)
_WORD = r"(?:[^\W\d_][\w'’.-]*|\d+(?:st|nd|rd|th))"
_STOP = (
    r"(?!(?:the|a|an|and|or|to|of|for|is|was|will|be|in|on|at|my|your|our|it|its|that|this|"
    r"with|from|by|via|business|days?|dollars?|cents|items?|minutes?|hours?|percent|off|am|pm|"
    r"more|new|extra|bonus|reward|loyalty|times?|weeks?|months?|years?|nights?)\b)"
)
_SUFFIX = r"(?P<suffix>" + literal_trie_pattern(_SUFFIXES) + r")\.?"
_DIRECTION = (
    r"(?:[NSEW]\.?|north|south|east|west|northeast|northwest|southeast|southwest|NE|NW|SE|SW)"
)
_UNIT_WORD = (
    r"(?:apt\.?|apartment|suite|ste\.?|unit|fl\.?|floor|level|lvl\.?|flat|room|rm\.?|"
    r"bldg\.?|building|studio|#)"
)
_UNIT = rf"(?:,?\s+{_UNIT_WORD}\s*#?\s*[\w-]{{1,6}})"
_UNIT_FIRST = rf"(?:{_UNIT_WORD}\s*#?\s*[\w-]{{1,6}}(?:/\d{{1,5}})?,?)"
_NUMBER_WORD = (
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred)"
)
# "\d\d{0,5}", not "\d{1,6}": a pattern opening with one character class lets ``sre`` skip
# to the next digit in C; one opening with a repeat is tried at every position.
_HOUSE = r"\d\d{0,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"
_SPOKEN_HOUSE = rf"{_NUMBER_WORD}(?:[ -]{_NUMBER_WORD}){{0,5}}"
_LOW_CODES = [c.lower() for c in (*US_STATE_CODES, *CA_PROVINCE_CODES, *AU_STATE_CODES)]
_REGION = (
    r"(?:"
    + literal_trie_pattern((*US_STATES, *CA_PROVINCES, *AU_STATES)).replace(r"\ ", r"\s+")
    + r"|(?-i:"
    + literal_trie_pattern((*US_STATE_CODES, *CA_PROVINCE_CODES, *AU_STATE_CODES))
    + r")|(?:"
    + literal_trie_pattern(_LOW_CODES)
    + r")(?=\s+(?:\d{4}|[a-z]\d[a-z])))"
)
_POSTAL = r"(?:\d{5}(?:-\d{4})?|\d{4}|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d)"
_UK_POSTCODE = r"(?:[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})"
_CITY = r"(?:[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,2}?)"
_TAIL = (
    rf"(?P<tail>(?:,?\s+{_CITY},?\s+{_REGION}\b(?:,?\s+{_POSTAL})?)|(?:,?\s+{_REGION},?\s+{_POSTAL})"
    rf"|(?:,?\s+{_CITY},?\s+{_UK_POSTCODE})|(?:,?\s+{_UK_POSTCODE})|(?:,?\s+\d{{5}}))?(?![\w-])"
)
_STREET = (
    rf"\s+(?:{_DIRECTION}\s+)?(?P<name>(?:{_STOP}{_WORD}\s+){{0,3}}{_STOP}{_WORD}\s+{_SUFFIX})"
    rf"(?:\s+{_DIRECTION}\b)?(?!\w)(?P<unit>{_UNIT})?{_TAIL}"
)


def _compile(pattern: str) -> re.Pattern[str]:
    # Addresses never cross a line (a turn boundary): horizontal whitespace only.
    return re.compile(pattern.replace(r"\s", r"[ \t]"), re.IGNORECASE)


# Written house numbers start with a digit so the engine can skip ahead; the character
# before is checked in code.  Unit-first and spoken shapes run only on turns that hold a
# unit word or a number word.
_ADDRESS_RX = _compile(rf"{_HOUSE}{_STREET}")
_UNIT_FIRST_RX = _compile(rf"(?P<unitfirst>{_UNIT_FIRST})(?:\s+{_HOUSE},?)?{_STREET}")
_SPOKEN_RX = _compile(rf"(?<![\w-])(?P<spoken>{_SPOKEN_HOUSE}){_STREET}")
_UNIT_HINT = re.compile(r"(?:apt|apartment|suite|ste|unit|floor|level|lvl|flat|studio|room)\b")
_NUMBER_HINT = re.compile(_NUMBER_WORD + r"\b")
_BAD_BEFORE = frozenset("$#.,-_")
# Suffix words as whole words (the lookahead rejects "please" for "pl" inside the engine,
# which matters: prefixes of common words are most of the hits otherwise), and the type
# words of continental shapes in the same pass.  All are words of letters (but
# "cul-de-sac"), so at one position at most one of them ends a word.
_SCANNED_WORDS = sorted(frozenset(_SUFFIXES) | frozenset(TYPE_WORDS))
_SUFFIX_SCAN_BODY = "(?:" + literal_trie_pattern(_SCANNED_WORDS) + r")(?=\.?(?![\w]))"
_SUFFIX_SCAN = (re.compile(" " + _SUFFIX_SCAN_BODY), re.compile(_SUFFIX_SCAN_BODY))
_PO_BOX_RX = re.compile(
    rf"\b(?:(?:p\.?\s?o\.?\s?|post office\s+)box|(?:rr|r\.r\.|rural route|hc|highway contract)"
    rf"\s*\d{{1,3}},?\s+box)\s+\d{{1,6}}(?:,?\s+{_CITY},?\s+{_REGION}\b(?:,?\s+{_POSTAL})?)?",
    re.IGNORECASE,
)
_RURAL_RX = re.compile(r"\b(?:rural route|rr)\s+\d{1,3}\b(?:,?\s+box\s+\d{1,6})?", re.IGNORECASE)
_ADDRESS_CUE = re.compile(
    r"address|\blive (?:at|in|on)|living at|ship(?:ping)?(?: it| them)? to|deliver(?:ed|y)? to|"
    r"send (?:it |them )?to|mail (?:it |them )?to|moved to|located at|resid|postcode|zip"
)


def gives_address(doc: Doc, turn: Turn, start: int) -> bool:
    """Whether the text of *turn* before *start* reads as giving an address."""
    return turn.topic == "STREET_ADDRESS" or bool(_ADDRESS_CUE.search(doc.low, turn.body, start))


def _title_case(text: str) -> bool:
    words = text.split()
    return all(w[0].isupper() or w[0].isdigit() for w in words) and not text.isupper()


def _accepted(doc: Doc, turn: Turn, m: re.Match[str]) -> bool:
    """A strong street type stands on its own; a weak one (or a spoken house number) needs
    a unit, a tail, a Title Case street name or a turn that gives an address."""
    weak = m.group("suffix").lower() not in _STRONG
    spoken = "spoken" in m.groupdict() and m.group("spoken") is not None
    if not weak and not spoken:
        return True
    if m.group("unit") or m.group("tail") or "unitfirst" in m.groupdict():
        return True
    if gives_address(doc, turn, m.start()):
        return True
    if spoken:
        return not weak and m.group("spoken").lower() not in ("one", "oh", "zero")
    return _title_case(m.group("name"))


def _scan(doc: Doc, turn: Turn, rx: re.Pattern[str], spans: list[Span]) -> None:
    text = doc.text
    for m in rx.finditer(text, turn.body, turn.end):
        s = m.start()
        if s and (text[s - 1].isalnum() or text[s - 1] in _BAD_BEFORE):
            continue
        if _accepted(doc, turn, m):
            spans.append(Span(s, m.end(), "STREET_ADDRESS"))


def find_addresses(doc: Doc) -> list[Span]:
    """Only turns that contain a street-type word (after a space, as in the full pattern)
    are scanned with the full patterns; continental shapes, PO boxes and rural routes are
    looked for only when their key words occur at all."""
    low, spaced = doc.low, doc.spaced
    turns = set()
    kinds: set[str] = set()
    for pos, word in word_cues(spaced, _SUFFIX_SCAN):
        if not pos:
            continue  # the words count after a space (the text's first word is no street)
        end = pos + len(word)
        kind = TYPE_WORDS.get(word)
        if kind is not None and spaced[end : end + 1] in (" ", "."):
            kinds.add(kind)
        if word not in _SUFFIX_SET:
            continue
        end += low.startswith(".", end)
        if end >= len(low) or not (low[end].isalnum() or low[end] == "_"):
            turns.add(doc.turn_at(pos))
    spans: list[Span] = []
    for turn in sorted(turns):
        _scan(doc, turn, _ADDRESS_RX, spans)
        body = low[turn.body : turn.end]
        if _UNIT_HINT.search(body):
            _scan(doc, turn, _UNIT_FIRST_RX, spans)
        if _NUMBER_HINT.search(body):
            _scan(doc, turn, _SPOKEN_RX, spans)
    if "box" in low:
        spans.extend(
            Span(m.start(), m.end(), "STREET_ADDRESS") for m in _PO_BOX_RX.finditer(doc.text)
        )
    if "rural route" in low or "rr " in low:
        spans.extend(
            Span(m.start(), m.end(), "STREET_ADDRESS") for m in _RURAL_RX.finditer(doc.text)
        )
    spans += find_continental(doc, gives_address, kinds)
    return spans
