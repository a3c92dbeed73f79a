"""The countries a person may choose from, named in the reader's language.

Why Babel's (CLDR's) list: it names every country in English and German
alike, so the privacy center's select needs no table of its own. Only
two-letter codes of places are offered (no ``EU``, ``UN`` or CLDR's private
codes), sorted as a reader of the language expects, accents aside.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

NOT_PLACES = frozenset(
    {"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)
"""CLDR regions that are no country of ISO 3166-1 (and its unknown region)."""


def _sort_key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


@cache
def countries(language: str) -> tuple[tuple[str, str], ...]:
    """``(code, name)`` of every country, sorted by its name in ``language``."""
    names = Locale.parse(language).territories
    found = [
        (code, str(name))
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_PLACES
    ]
    return tuple(sorted(found, key=lambda item: _sort_key(item[1])))


def is_country(code: str) -> bool:
    """True for a two-letter code the select offers."""
    return code in {known for known, _ in countries("en")}
