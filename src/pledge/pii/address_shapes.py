"""Continental street addresses, where the house number follows the street or the street
type comes first.

German and Dutch streets are compounds ending in their type, with the number after
("Hauptstraße 12, 10115 Berlin", "Kaiser-Wilhelm-Ring 20", "Kerkstraat 112, 1017 GP
Amsterdam"); Spanish and Italian ones put the type first ("Calle Mayor 5, 28013 Madrid",
"Via Roma 10"); French ones put the number first and the type next ("12 rue de la Paix,
75002 Paris").  The type-first words are also English or prose words ("via", "corso"), so
those shapes need a capitalised street name or a turn that gives an address.  Each shape
is looked for only when one of its key words occurs in the transcript at all (a substring
test in C), so other transcripts pay almost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from pledge.pii.context import Doc, Turn
from pledge.pii.person_lexicon import lexicon_flags
from pledge.pii.spans import Span

__all__ = ["TYPE_WORDS", "find_continental"]

_COMPOUND_ENDS = (
    "straße",
    "strasse",
    "str.",
    "weg",
    "platz",
    "allee",
    "gasse",
    "damm",
    "ufer",
    "chaussee",
    "-ring",
    "straat",
    "laan",
    "plein",
    "gracht",
    "kade",
    "dijk",
    "singel",
    "steeg",
)
_TYPE_FIRST = (
    "calle",
    "avenida",
    "avda",
    "paseo",
    "plaza",
    "carrer",
    "via",
    "viale",
    "piazza",
    "corso",
    "largo",
    "vicolo",
    "rua",
    "travessa",
)
_FRENCH_TYPES = (
    "rue",
    "avenue",
    "boulevard",
    "bd",
    "place",
    "allée",
    "chemin",
    "impasse",
    "quai",
    "cours",
    "route",
)
_HOUSE = r"\d{1,5}[a-zA-Z]?(?:[-/]\d{1,5}[a-zA-Z]?)?"
_CAP = r"[A-ZÀ-ÖØ-Þ]"
_NAME = r"[^\W\d_][\w'’-]*"
_P = r"(?:de la|de los|de las|de l'|del|de|des|du|d'|della|dei|degli|di|da|do|dos)"
_CITY = rf"{_CAP}[\w'’-]*(?:[ \t]+(?:am|an|der|{_CAP}[\w'’-]*)){{0,2}}"
_POSTAL = r"(?:\d{5}|\d{4}[ \t]?[A-Z]{2})"  # DE/FR/ES/IT five digits, NL "1017 GP"
_TAIL = rf"(?P<tail>,?[ \t]+{_POSTAL}[ \t]+{_CITY}|,[ \t]*{_CITY}(?![ \t]+\d))?"
_COMPOUND_RX = re.compile(
    rf"(?<![\w-])(?:{_CAP}[\w'’-]*[ \t]+)?(?:[^\W\d_][\w'’-]*?)?"
    rf"(?i:{'|'.join(re.escape(e) for e in _COMPOUND_ENDS)})[ \t]+{_HOUSE}\b{_TAIL}"
)
_TYPE_FIRST_RX = re.compile(
    rf"(?<![\w-])(?P<type>(?i:{'|'.join(_TYPE_FIRST)}))\.?[ \t]+(?P<name>(?:(?i:{_P})[ \t]*)?"
    rf"{_NAME}(?:[ \t]+(?:(?i:{_P})[ \t]*)?{_NAME}){{0,2}}),?[ \t]+(?:n[º°o]\.?[ \t]*)?"
    rf"{_HOUSE}\b{_TAIL}"
)
_FRENCH_RX = re.compile(
    rf"(?<![\w/.-]){_HOUSE}(?:[ \t]*(?:bis|ter))?,?[ \t]+(?P<type>(?i:{'|'.join(_FRENCH_TYPES)}))"
    rf"[ \t]+(?P<name>(?:(?i:{_P})[ \t]*)?{_NAME}(?:[ \t]+(?:(?i:{_P})[ \t]*)?"
    rf"{_NAME}){{0,3}}?)(?:,?[ \t]+(?P<postal>\d{{5}})[ \t]+{_CITY})"
)
# German "...ring" compounds ("Schlosserring 8, 73845 Arnstadt", "Döhnring 9/4, Gera"): one
# word, capitalised, with a postcode or city after it, and no English word ("During 2023,
# Acme ..." is not a street).
_RING_RX = re.compile(
    rf"(?<![\w-])(?P<word>{_CAP}[a-zäöüß]{{2,}}ring)[ \t]+{_HOUSE}\b"
    rf"(?P<tail>,?[ \t]+{_POSTAL}[ \t]+{_CITY}|,[ \t]*{_CITY}(?![ \t]+\d))"
)
# Type words of the type-first and French shapes: `pledge.pii.addresses` looks for them in
# its pass over street-type words (after a space, as those are), and tells
# `find_continental` which kinds it saw.
TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(_FRENCH_TYPES, "french"),
    **dict.fromkeys(_TYPE_FIRST, "first"),
}
GivesAddress = Callable[[Doc, Turn, int], bool]


def _name_is_capitalised(name: str) -> bool:
    return any(word[0].isupper() for word in name.split()) and not name.isupper()


def find_continental(doc: Doc, gives_address: GivesAddress, kinds: Collection[str]) -> list[Span]:
    """Compound streets with the number after; type-first streets (Spanish, Italian,
    Portuguese) when capitalised or given as an address; French streets with their
    postcode and city (the type words are English words too).  *kinds* are the kinds of
    `TYPE_WORDS` the text holds followed by a space or a dot: only their shapes are tried."""
    text = doc.text
    spans: list[Span] = []
    if any(end in doc.low for end in _COMPOUND_ENDS):
        for m in _COMPOUND_RX.finditer(text):
            spans.append(Span(m.start(), m.end(), "STREET_ADDRESS"))
    if "ring " in doc.low:
        for m in _RING_RX.finditer(text):
            if lexicon_flags(m.group("word").lower())[2] == "0":
                spans.append(Span(m.start(), m.end(), "STREET_ADDRESS"))
    if "first" in kinds:
        for m in _TYPE_FIRST_RX.finditer(text):
            turn = doc.turn_at(m.start())
            if _name_is_capitalised(m.group("name")) or gives_address(doc, turn, m.start()):
                spans.append(Span(m.start(), m.end(), "STREET_ADDRESS"))
    if "french" in kinds:
        for m in _FRENCH_RX.finditer(text):
            spans.append(Span(m.start(), m.end(), "STREET_ADDRESS"))
    return spans
