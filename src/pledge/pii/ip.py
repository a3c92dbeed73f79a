"""IPv4 and IPv6 addresses, checked with :mod:`ipaddress`.

Dotted quads also look like software versions ("updated to 10.2.14.3", "firmware
2.2.7.234").  Validity comes first (`ipaddress`: octets 0-255, no leading zeros); then the
words just before the quad, in its clause, decide: the nearest cue word wins, a version cue
("version", "build", "firmware", "updated to", "app", "os", "driver", ...) makes it a version
and a network cue ("ip", "router", "gateway", "server", "dns", "ping", "connecting from",
...) an address.  A version word right after it ("the 10.2.14.3 release") also makes it a
version.  With no cue either way a valid quad is an address.
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
_VERSION_WORDS = frozenset(
    "version versions v ver build builds firmware release releases notes update updated "
    "updates updating upgrade upgraded upgrading patch patched app apps os driver drivers "
    "software running installed install installing bios kernel".split()
)
_NETWORK_WORDS = frozenset(
    "ip ips ipv4 router routers gateway server servers dns ping pinged pinging connecting "
    "connected connect host hostname subnet lan wan vpn proxy whitelisted whitelist "
    "allowlist blocked".split()
)
# Words that start a new clause: a cue before them speaks of something else ("I updated the
# app and now 192.168.0.1 won't load").
_CLAUSE_WORDS = frozenset("and but then so".split())
_CUE_WINDOW = 4  # words looked at before the quad
_WORD_RX = re.compile(r"[a-z0-9]+")
_CLAUSE_BREAK = re.compile(r"[,;!?]|[.:](?:\s|$)")
_VERSION_AFTER = re.compile(r"\s+(?:version|release|build|update|firmware|patch)\b")


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


def _is_version(low: str, start: int, end: int) -> bool:
    """Whether the context of the quad at start..end says it is a version number."""
    if _VERSION_AFTER.match(low, end):
        return True
    before = low[max(0, start - 48) : start]
    cut = before.rfind("\n")
    for m in _CLAUSE_BREAK.finditer(before, max(0, cut)):
        cut = m.end()
    words: list[str] = _WORD_RX.findall(before, max(0, cut))
    for word in reversed(words[-_CUE_WINDOW:]):
        if word in _NETWORK_WORDS:
            return False
        if word in _VERSION_WORDS:
            return True
        if word in _CLAUSE_WORDS:
            return False
    return False


def find_ips(doc: Doc) -> list[Span]:
    """Validated IPv4/IPv6 addresses that are not version numbers."""
    low = doc.low
    spans: list[Span] = []
    for s, e in _v4_candidates(low):
        if not _isolated(low, s, e, "._") or not is_ip_address(low[s:e]):
            continue
        if not _is_version(low, s, e):
            spans.append(Span(s, e, "IP_ADDRESS"))
    for s, e in _v6_candidates(low):
        cand = low[s:e]
        # A bare "::" (all zeros) is punctuation in a transcript, never an address read out.
        has_digit = any(c in _HEX for c in cand)
        if cand.count(":") >= 2 and has_digit and _isolated(low, s, e, "_") and is_ip_address(cand):
            spans.append(Span(s, e, "IP_ADDRESS"))
    return spans
