"""IPv4 and IPv6 addresses, checked with :mod:`ipaddress`.

Dotted quads also look like firmware versions ("firmware 2.2.7.234"), so a candidate right
after a version cue is rejected.
"""

from __future__ import annotations

import ipaddress
import re

from pledge.pii.context import Doc
from pledge.pii.spans import Span

__all__ = ["find_ips", "is_ip_address"]

_V4_RX = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_V6_HINT = re.compile(r"[0-9a-f]:[0-9a-f:]")
_V6_RX = re.compile(r"[0-9a-f:]*:[0-9a-f:]*:[0-9a-f:.]*")
_VERSION_CUE = re.compile(r"(?:version|firmware|release|build|update|v|ver|os|app|patch)\W{0,3}$")


def is_ip_address(candidate: str) -> bool:
    """True for a syntactically valid IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def _isolated(low: str, start: int, end: int, glue: str) -> bool:
    """No word character or *glue* before; after, nothing that continues the token
    (a sentence full stop is fine, "1.2.3.4.5" is not)."""
    before = low[start - 1] if start else " "
    after = low[end] if end < len(low) else " "
    if before.isalnum() or before in glue or after.isalnum():
        return False
    return not (after in glue and end + 1 < len(low) and low[end + 1].isalnum())


def find_ips(doc: Doc) -> list[Span]:
    """Validated IPv4/IPv6 addresses that are not version numbers."""
    low = doc.low
    spans: list[Span] = []
    for m in _V4_RX.finditer(low):
        s, e = m.span()
        if not _isolated(low, s, e, "._") or not is_ip_address(m.group()):
            continue
        if not _VERSION_CUE.search(low, max(0, s - 20), s):
            spans.append(Span(s, e, "IP_ADDRESS"))
    if _V6_HINT.search(low):
        for m in _V6_RX.finditer(low):
            s, e = m.span()
            cand = m.group().rstrip(".")
            e = s + len(cand)
            if cand.count(":") >= 2 and _isolated(low, s, e, "_") and is_ip_address(cand):
                spans.append(Span(s, e, "IP_ADDRESS"))
    return spans
