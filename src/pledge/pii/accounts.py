"""Account, order, member, policy and customer identifiers.

Identifier formats are arbitrary ("AC-4839201", "ORD 77812", "#105854701", "cust711184",
"7622 8555 57"), so format alone proves nothing; a value is an ACCOUNT_ID when a cue names
it ("account number is ...", "order #...", "member ID ...") or when it is the first
identifier-looking value a customer gives right after being asked for one.  Look-alikes
(tracking, case and model numbers, "ending in 4821" read-backs) never carry these cues.
"""

from __future__ import annotations

import re

from pledge.pii.context import Doc, literal_trie_pattern, word_cue_pattern, word_cues
from pledge.pii.name_data import COMMON_WORDS
from pledge.pii.spans import Span

__all__ = ["find_accounts"]

_ID = (
    r"(?P<id>#?(?:(?P<prefix>[A-Za-z]{1,5})[ -]?)?\d(?:[\d]|[ -](?=\d)){3,24}"
    r"(?:-?[A-Za-z]{1,3}\b)?)(?![\w@]|[./:]\d)"
)
_CUE_LIST = (
    "account acct a/c order member membership policy customer client reference ref "
    "loyalty subscriber subscription contract booking reservation patient billing".split()
)
_CUE_WORDS = "(?:" + literal_trie_pattern(_CUE_LIST) + ")"
_CUE_SCAN = word_cue_pattern(_CUE_LIST)
_FILLER = r"(?:\s*(?:number|no\.?|num|#|id|code|nr)){0,2}(?:\s*(?:is|was|would be|:|=|reads|of))?"
_CUE_RX = re.compile(
    rf"{_CUE_WORDS}{_FILLER}(?:\s*(?:it's|its|my|the))?\s*:?\s*(?<![\w'’@.-]){_ID}"
)
_DIGIT = re.compile(r"\d")
_MAX_CUE_TO_ID = 64  # longest cue + filler ("subscription number would be it's #") + 1
_TOKEN_RX = re.compile(rf"(?<![\w'’@.,$-]){_ID}")
_STOP_PREFIX = COMMON_WORDS | frozenset(
    "is was my the its no num nr id of on in at for to and number or s a an by since from "
    "born placed dated until due after before opened".split()
)
_NOT_AFTER = re.compile(r"(?:ending|ends|last|tracking|case|ticket|model)\W*$")
_DATE_LIKE = re.compile(r"^\d{1,4}[-.]\d{1,2}[-.]\d{1,4}$")


def _clean(m: re.Match[str]) -> tuple[int, int] | None:
    """Offsets of the identifier, minus a filler word the regex took as a prefix."""
    start, end = m.span("id")
    prefix = m.group("prefix")
    if prefix and prefix.lower() in _STOP_PREFIX:
        start = m.start("id") + len(prefix)
        while start < end and not m.string[start].isalnum() and m.string[start] != "#":
            start += 1
        if prefix.lower() not in {"is", "was", "no", "num", "nr", "id", "number", "s", "its"}:
            return None  # a real word before the digits: not an identifier
    value = m.string[start:end]
    digits = sum(c.isdigit() for c in value)
    if digits < 5 or _DATE_LIKE.match(value):
        return None
    return start, end


def find_accounts(doc: Doc) -> list[Span]:
    """Cued identifiers anywhere, plus the first identifier in a reply to an ID question."""
    low = doc.low
    spans: list[Span] = []
    for pos, _ in word_cues(doc.spaced, _CUE_SCAN):
        # Most cue words ("customer", "order") are not followed by an identifier: a digit
        # search is far cheaper than the full pattern's backtracking.
        if _DIGIT.search(low, pos, pos + _MAX_CUE_TO_ID) is None:
            continue
        if pos < doc.turn_at(pos).body:
            continue  # the speaker label ("Customer: ...") is not a cue
        m = _CUE_RX.match(low, pos)
        if not m or "\n" in m.group():
            continue
        got = _clean(m)
        if got:
            spans.append(Span(got[0], got[1], "ACCOUNT_ID"))
    for turn in doc.turns:
        if turn.topic != "ACCOUNT_ID" or turn.is_agent:
            continue
        for m in _TOKEN_RX.finditer(low, turn.body, turn.end):
            got = _clean(m)
            if not got or _NOT_AFTER.search(low, turn.body, got[0]):
                continue
            if sum(c.isdigit() for c in low[got[0] : got[1]]) >= 6:
                spans.append(Span(got[0], got[1], "ACCOUNT_ID", 1.0))
                break
    return spans
