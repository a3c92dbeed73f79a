"""The search terms a visitor used to find the site, read from a search engine's referrer.

Only known search engines' hosts are read, and only their query parameter; the
rest of the referrer (which may carry anything) is dropped unread. Most engines
no longer send the query, so most visits have no terms.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

ENGINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "google": ("google", ("q", "query")),
    "bing": ("bing.com", ("q",)),
    "duckduckgo": ("duckduckgo.com", ("q",)),
    "yahoo": ("yahoo.com", ("p", "q")),
    "ecosia": ("ecosia.org", ("q",)),
    "qwant": ("qwant.com", ("q",)),
    "startpage": ("startpage.com", ("query", "q")),
    "brave": ("search.brave.com", ("q",)),
    "yandex": ("yandex", ("text", "search")),
    "baidu": ("baidu.com", ("wd", "word")),
    "ask": ("ask.com", ("q", "search")),
}
"""Engine → (its domain, or its name before a country suffix, and its query parameters)."""

MAX_TERMS = 200
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


_COUNTRY_SUFFIX = re.compile(r"^(?:com?\.)?[a-z]{2,3}$")
"""``com``, ``de``, ``co.uk``, ``com.au``: what may follow an engine's own name."""


def _engine_of(host: str) -> str | None:
    """The engine whose domain ``host`` is (or is under); a look-alike host is no engine."""
    host = host.lower().rstrip(".")
    for engine, (mark, _params) in ENGINES.items():
        if "." in mark:
            if host == mark or host.endswith("." + mark):
                return engine
            continue
        before, found, suffix = host.partition(mark + ".")
        if found and (before == "" or before.endswith(".")) and _COUNTRY_SUFFIX.match(suffix):
            return engine
    return None


def search_terms(referrer: str | None) -> tuple[str, str | None] | None:
    """(engine, terms or None) for a search engine's referrer; None for any other."""
    if not referrer:
        return None
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return None
    engine = _engine_of(parts.hostname or "")
    if engine is None:
        return None
    query = parse_qs(parts.query)
    for name in ENGINES[engine][1]:
        values = query.get(name)
        if values and values[0].strip():
            clean = _SPACES.sub(" ", _CONTROL.sub(" ", values[0])).strip()
            return engine, clean[:MAX_TERMS]
    return engine, None
