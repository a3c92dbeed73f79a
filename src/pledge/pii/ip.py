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

# Both scans open with a literal ("." / ":") so the engine skips between them in C; the
# digits or hex groups before the first separator are then taken in code.
_V4_TAIL_RX = re.compile(r"\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_V6_HINT = re.compile(r":[0-9a-f]{0,4}:")
_V6_CHARS = frozenset("0123456789abcdef:.")
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


def _v4_candidates(low: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    while (m := _V4_TAIL_RX.search(low, pos)) is not None:
        s = m.start()
        while s > m.start() - 3 and s > 0 and low[s - 1].isdigit():
            s -= 1
        if s == m.start():
            pos = m.start() + 1
            continue
        out.append((s, m.end()))
        pos = m.end()
    return out


def _v6_candidates(low: str) -> list[tuple[int, int]]:
    """Maximal runs of hex digits, colons and dots around each "::" or ":hex:"."""
    out: list[tuple[int, int]] = []
    pos = 0
    while (m := _V6_HINT.search(low, pos)) is not None:
        s, e = m.start(), m.end()
        while s > 0 and low[s - 1] in _V6_CHARS:
            s -= 1
        while e < len(low) and low[e] in _V6_CHARS:
            e += 1
        while e > s and low[e - 1] == ".":
            e -= 1
        out.append((s, e))
        pos = max(e, m.end())
    return out


_HEX = frozenset("0123456789abcdef")


def find_ips(doc: Doc) -> list[Span]:
    """Validated IPv4/IPv6 addresses that are not version numbers."""
    low = doc.low
    spans: list[Span] = []
    for s, e in _v4_candidates(low):
        if not _isolated(low, s, e, "._") or not is_ip_address(low[s:e]):
            continue
        if not _VERSION_CUE.search(low, max(0, s - 20), s):
            spans.append(Span(s, e, "IP_ADDRESS"))
    for s, e in _v6_candidates(low):
        cand = low[s:e]
        # A bare "::" (all zeros) is punctuation in a transcript, never an address read out.
        has_digit = any(c in _HEX for c in cand)
        if cand.count(":") >= 2 and has_digit and _isolated(low, s, e, "_") and is_ip_address(cand):
            spans.append(Span(s, e, "IP_ADDRESS"))
    return spans
