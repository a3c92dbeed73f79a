"""E-mail addresses, typed ("jo.roe@example.com") or dictated ("jo dot roe at gmail dot com").

Typed addresses are found from each "@" outwards rather than by scanning every position
with one big pattern.  The dictated form ("j o h n
underscore smith at sign outlook dot co dot uk") is only accepted when it ends in "dot" and a
top-level domain (a country code or a common generic one), so "meet at noon" is never an
address.
"""

from __future__ import annotations

import re

from pledge.pii.context import Doc, literal_trie_pattern
from pledge.pii.spans import Span

__all__ = ["find_emails"]

_LOCAL_RX = re.compile(r"[\w.+%'-]*\w\Z")
_DOMAIN_RX = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}\b"
)
# Top-level domains accepted at the end of a dictated address: any two-letter country code
# and the generic ones people use.  Other words ("at home dot backup") never end an address.
_GENERIC_TLDS = (
    "com net org edu gov mil int info biz name pro mobi io me tv fm ai app dev xyz online "
    "site shop store tech email mail cloud live life world today blog art design studio "
    "photography media news club space website network systems solutions agency"
).split()
_TLD = rf"(?:{literal_trie_pattern(_GENERIC_TLDS)}|[a-z]{{2}})(?![a-z0-9])"
# A local part or domain label said whole ("jones", "amy5") or spelled ("j o h n"); joined
# by said punctuation; then "at" ("at sign", "at symbol", "at the rate (of)"), the domain
# labels and the TLD, each after "dot".
_SAID = r"(?:[a-z0-9](?![a-z0-9])(?:[ \t][a-z0-9](?![a-z0-9])){1,40}|[a-z0-9][a-z0-9_.-]*)"
_SPOKEN_RX = re.compile(
    rf"(?<![a-z0-9_.'’-]){_SAID}(?:\s+(?:dot|period|underscore|dash|hyphen)\s+{_SAID})*"
    rf"\s+at(?:\s+(?:sign|symbol|the\s+rate(?:\s+of)?))?"
    rf"\s+[a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)*\s+dot\s+{_TLD}"
)
# Opens with a literal so the engine can skip between "dot"s (a leading \b would not).
_SPOKEN_HINT = re.compile(rf"dot\s+{_TLD}")


def _typed(text: str) -> list[Span]:
    spans: list[Span] = []
    at = text.find("@")
    while at > 0:
        local = _LOCAL_RX.search(text, max(0, at - 64), at)
        domain = _DOMAIN_RX.match(text, at + 1)
        if local and domain:
            start = local.start()
            while start < at and text[start] in ".'-":
                start += 1
            spans.append(Span(start, domain.end(), "EMAIL"))
            at = text.find("@", domain.end())
        else:
            at = text.find("@", at + 1)
    return spans


def find_emails(doc: Doc) -> list[Span]:
    """Typed addresses anywhere, plus dictated ones when the text says "dot com" etc."""
    spans = _typed(doc.text)
    if _SPOKEN_HINT.search(doc.low):
        spans += [Span(m.start(), m.end(), "EMAIL") for m in _SPOKEN_RX.finditer(doc.low)]
    return spans
