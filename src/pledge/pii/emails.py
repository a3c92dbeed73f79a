"""E-mail addresses, typed ("jo.roe@example.com") or dictated ("jo dot roe at gmail dot com").

Typed addresses are found from each "@" outwards rather than by scanning every position
with one big pattern.  The dictated form is only accepted when it ends in a common
top-level domain, so "meet at noon" is never an address.
"""

from __future__ import annotations

import re

from pledge.pii.context import Doc
from pledge.pii.spans import Span

__all__ = ["find_emails"]

_LOCAL_RX = re.compile(r"[\w.+%'-]*\w\Z")
_DOMAIN_RX = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}\b"
)
_TLD = r"(?:com|net|org|edu|gov|io|co|us|uk|de|ca|info|biz|me)"
_SPOKEN_RX = re.compile(
    rf"[a-z0-9][a-z0-9_.-]*(?:\s+(?:dot|underscore|dash|hyphen)\s+[a-z0-9_-]+)*"
    rf"\s+at\s+[a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)*\s+dot\s+{_TLD}\b"
)
# Opens with a literal so the engine can skip between "dot"s (a leading \b would not).
_SPOKEN_HINT = re.compile(rf"dot\s+{_TLD}\b")


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
        for m in _SPOKEN_RX.finditer(doc.low):
            if m.start() == 0 or not doc.low[m.start() - 1].isalnum():
                spans.append(Span(m.start(), m.end(), "EMAIL"))
    return spans
