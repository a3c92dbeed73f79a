"""Which supported language to answer in: an explicit choice, then the browser's, then English.

The inputs are whatever a visitor sends (a query parameter, a cookie, an
``Accept-Language`` header), so each is bounded and shape-checked before it
is looked at; anything odd is ignored rather than refused, since a language
preference is a hint and the page must always show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from babel.core import negotiate_locale

from pledge.i18n.catalogues import SOURCE, supported

TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")
"""A BCP 47 language tag's shape (``de``, ``de-DE``, ``zh-Hant-TW``), or a POSIX one (``de_AT``)."""
MAX_HEADER = 512
MAX_RANGES = 16


def supported_code(tag: str | None) -> str | None:
    """The supported language a tag asks for (``de-AT`` → ``de``), or None."""
    if not tag or len(tag) > 35 or not TAG.match(tag):
        return None
    found = negotiate_locale([tag.replace("_", "-")], supported(), sep="-")
    if not found:
        return None
    # Babel answers in the asker's case ("DE"); the catalogue's own code is wanted.
    return next((code for code in supported() if code.lower() == str(found).lower()), None)


def accepted(header: str | None) -> list[str]:
    """An ``Accept-Language`` header's tags, most wanted first; ``q=0`` and ``*`` left out."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header[:MAX_HEADER].split(",")[:MAX_RANGES]):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        params = params.strip().lower()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        tag = tag.strip()
        if not 0 < weight <= 1 or tag == "*":  # NaN fails the comparison too
            continue
        ranked.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def choose(explicit: Iterable[str | None], accept_language: str | None) -> str:
    """The first supported explicit choice, else the browser's best, else English."""
    for tag in explicit:
        code = supported_code(tag)
        if code is not None:
            return code
    for tag in accepted(accept_language):
        code = supported_code(tag)
        if code is not None:
            return code
    return SOURCE
