"""Identifiers a customer gives with no word naming them, taken as their account id.

The account rules (`accounts.py`) need a cue: "account", "member ID", an agent asking for
one.  People also just paste a number ("hi, 55120934 - the app won't load") or answer a
question no rule recognises, and an account id missed is personal data kept against a
Client's instructions (issue #16).  In a customer-service conversation a look-alike (case,
ticket, tracking, booking, serial, model number) nearly always comes with the word that
names it, so an identifier the customer writes with no cue at all, that no other detector
claims and that is shaped like an id rather than a date, a phone number or a product model,
is most likely their own account, order or member number.

Kept out, because each is a common uncued number that is no account id:

* anything another detector found (a phone, card, SSN, date of birth, address, e-mail);
* a reply to an agent who asked for something else (a phone number the phone rules found
  implausible is still no account);
* a cue of any class in the clause before it or naming it after it (then the cue rules
  decide), also a look-alike or phone cue misspelt by one letter ("csae", "wrok order"),
  as people type in SMS;
* an id read out word by word (more often a phone number said without a cue);
* a quantity ("125000 dollars", "40000 points");
* an amount or a share ("£125000", "40000%");
* a date written with spaces ("july 15 2025", "5 5 2025"), a word before it that is no
  prefix of the id ("iowa 11782"), letters inside the digits ("WH-5257XM5" is a model), a
  prefix that is itself a look-alike ("REF-68587323").

A North American phone shape ("238-543-4574", "2385434574") that the phone rules turned
down, its area code not being in use, is reported as PHONE rather than left in clear.
These spans score below every other detector's, so in a merge any other reading wins.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from rapidfuzz.distance import OSA

from pledge.pii.accounts import CUE_CLASSES, cue_after, nearest_cue, repeats, reply_candidates
from pledge.pii.context import Doc, Turn
from pledge.pii.person_lexicon import is_english
from pledge.pii.spans import Span

__all__ = ["find_uncued_accounts"]

SCORE = 0.5

# A letter prefix (glued, or after a space: "acc 4471"), digit groups, a short letter suffix.
_SHAPE = re.compile(
    r"#?(?:(?P<prefix>[a-z]{1,4})(?:(?P<space> )|[-/]?))?\d+(?:[ /-]\d+)*(?:[-/]?[a-z]{1,2})?"
)
_DATE = re.compile(r"(?:^|[ /.-])\d{1,2}[ /.-](?:19|20)\d\d$|^(?:\d{1,2}[ /.-]){1,2}(?:19|20)\d\d$")
_NANP = re.compile(r"^(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}$")
# Ten digits without separators in the North American shape: area code and exchange from
# 2-9 ("2385434574").
_BARE_NANP = re.compile(r"^(?:\+?1)?[2-9]\d\d[2-9]\d{6}$")
_WORD = re.compile(r"[a-z]+")
_FIVE_DIGITS = re.compile(r"\d(?:[ /-]?\d){4}")
_NOT_ACCOUNT_CUES = tuple(
    w for w, kind in CUE_CLASSES.items() if kind in ("LOOKALIKE", "PHONE") and len(w) >= 4
)
# A number followed by a unit is a quantity ("125000 dollars", "40000 points").
_QUANTITY_RX = re.compile(
    r"\s?(?:dollars?|bucks|pounds?|quid|euros?|usd|gbp|eur|aud|cad|inr|rupees?|yen|pesos?|"
    r"cents?|points?|pts|miles?|kms?|kilomet(?:er|re)s?|met(?:er|re)s?|kg|lbs?|kwh|mb|gb|tb|"
    r"kb|bytes|steps|calories|litres?|liters?|gallons?|units|people|users|times|views|"
    r"followers)(?![a-z])"
)
_TYPO_WINDOW = 30  # characters before the id in which the last three words are checked


def find_uncued_accounts(doc: Doc, claimed: list[Span]) -> list[Span]:
    """Uncued identifiers in customer turns, and every other mention of them, except where
    a span of *claimed* (the other detectors' candidates) overlaps."""
    taken = sorted((s.start, s.end) for s in claimed)
    reach = _prefix_max([end for _, end in taken])
    starts = [start for start, _ in taken]
    found = [
        Span(start, end, label, SCORE)
        for turn in _turns_with_ids(doc)
        for start, end, label in _candidates(doc, turn)
        if not _overlaps(starts, reach, start, end)
    ]
    label_of = {doc.low[s.start : s.end]: s.label for s in found}
    again = [
        Span(s.start, s.end, label_of[doc.low[s.start : s.end]], SCORE)
        for s in repeats(doc.low, found)
        if not _overlaps(starts, reach, s.start, s.end)
    ]
    return found + again


def _turns_with_ids(doc: Doc) -> list[Turn]:
    """Customer turns not answering a question about something else that hold five digits
    or more in a row, maybe grouped (most turns hold none, and are not searched further)."""
    return [
        turn
        for turn in doc.turns
        if not turn.is_agent
        and turn.topic in (None, "ACCOUNT_ID")
        and _FIVE_DIGITS.search(doc.low, turn.body, turn.end) is not None
    ]


def _candidates(doc: Doc, turn: Turn) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    low = doc.low
    for start, end in reply_candidates(doc, turn):
        got = _written(low, start, end)  # None also for ids read out ("four four one ...")
        if got is None:
            continue
        start, label = got
        if nearest_cue(doc, start) is not None or cue_after(doc, end) is not None:
            continue
        if _QUANTITY_RX.match(low, end) or _money_or_share(low, start, end):
            continue
        if _misspelt_cue(low, turn.body, start):
            continue
        out.append((start, end, label))
    return out


def _money_or_share(low: str, start: int, end: int) -> bool:
    """An amount or a percentage ("£125000", "125000€", "40000%")."""
    return (start > 0 and low[start - 1] in _MONEY) or low[end : end + 1] in _MONEY_AFTER


_MONEY = frozenset("$£€¥₹₩₱₦")
_MONEY_AFTER = frozenset("$£€¥₹₩₱₦%")


def _written(low: str, start: int, end: int) -> tuple[int, str] | None:
    """Where a written id starts and its label, or None when its shape says it is no id.
    A North American phone shape the phone rules turned down (an area code not in use) is
    still a phone number more often than an account id: PHONE, so it is not left in clear."""
    m = _SHAPE.fullmatch(low, start, end)
    if m is None:
        return None
    prefix = m.group("prefix")
    if m.group("space"):
        start += m.end("space") - m.start()
        if sum(c.isdigit() for c in low[start:end]) < 6:
            return None
    elif prefix and CUE_CLASSES.get(prefix, "ACCOUNT") != "ACCOUNT":
        return None
    value = low[start:end]
    if _DATE.search(value):
        return None
    if _NANP.match(value) or _BARE_NANP.match(value):
        return start, "PHONE"
    return start, "ACCOUNT_ID"


def _misspelt_cue(low: str, floor: int, start: int) -> bool:
    """Whether one of the three words before *start* is a look-alike or phone cue with one
    letter wrong, missing, extra or swapped ("csae", "tikcet", "phnoe"); an English word
    is no typo ("mine" is not "line", "gave" not "case")."""
    words = _WORD.findall(low, max(floor, start - _TYPO_WINDOW), start)[-3:]
    return any(
        OSA.distance(word, cue, score_cutoff=1) <= 1
        for word in words
        if len(word) >= 4 and not is_english(word)  # once per word, not once per cue
        for cue in _NOT_ACCOUNT_CUES
    )


def _prefix_max(ends: list[int]) -> list[int]:
    out: list[int] = []
    best = -1
    for end in ends:
        best = max(best, end)
        out.append(best)
    return out


def _overlaps(starts: list[int], reach: list[int], start: int, end: int) -> bool:
    """Whether any claimed span (sorted by start, *reach* its running maximum end) overlaps
    [start, end)."""
    i = bisect_left(starts, end)
    return i > 0 and reach[i - 1] > start
