"""Account, order, member, policy and customer identifiers, told apart from look-alikes.

Identifier formats are arbitrary ("AC-4839201", "ORD 77812", "9V4-1182-203", "7622 8555
57", "four four one two ..."), and a case, ticket, tracking or confirmation number, a
serial or a phone number can be written exactly the same way.  So format proves nothing and
the words around a value decide (issue #16):

* every cue word is found once and given a class: an account cue ("account", "acct",
  "a/c", "member ID", "policy no.", "rewards number", "order #", ...), a look-alike cue
  ("case", "ticket", "incident", "claim", "tracking", "RMA", "serial", "model", "store",
  "promo", "confirmation", "booking", "reference", ...), a phone cue ("phone", "cell",
  "call me", ...) or another data cue ("card", "ssn", "zip", "ending in", ...);
* a value right after an account cue and its filler ("acct no. is", "under account",
  "customer # is") is an account id, also on a form line ("Acct: 91948014", "Customer
  number: ..."; a speaker label such as "Customer:" is not a cue), and so is one right
  before "is my / that's the" and an account cue ("77310925 is my account number");
* a value in a reply to an agent who asked for an account number is one only when no cue
  of the reply's own comes before it or names it just after ("I only have the ticket
  number, it's 55120934" is not an account id, whatever the agent asked).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from rapidfuzz.distance import OSA
from stdnum import luhn

from pledge.pii.context import (
    DigitRun,
    Doc,
    Turn,
    asked_topics,
    literal_trie_pattern,
    word_start_alternatives,
)
from pledge.pii.name_data import COMMON_WORDS
from pledge.pii.person_lexicon import is_english
from pledge.pii.spans import Span

__all__ = [
    "CUE_CLASSES",
    "cue_after",
    "find_accounts",
    "nearest_cue",
    "repeats",
    "reply_candidates",
]

_ACCOUNT = "ACCOUNT"
_CARD_NO = "CARD_NO"
# A cue word's class.  Multi-word cues win over their first word ("work order" is a
# look-alike, "order" an account cue).  "a c" is "a/c" in `Doc.spaced`, where "/" is a space.
CUE_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        [
            *"account accounts acct acc order member membership policy customer client "
            "loyalty rewards reward subscriber subscription contract billing patient mrn "
            "student employee flyer flier ff mileage".split(),
            "a c",
            "frequent-flyer",
            "frequent-flier",
            "frequent traveller",
            "frequent traveler",
            # a look-alike word after an account word names the account's own number
            *(
                f"{who} {what}"
                for who in "account customer client member membership policy billing".split()
                for what in ("reference", "ref")
            ),
            *(
                f"{what} card"
                for what in "membership member loyalty rewards reward club points".split()
            ),
        ],
        _ACCOUNT,
    ),
    **dict.fromkeys(
        [
            *"case ticket incident claim dispute confirmation conf tracking track rma return "
            "returns shipment shipping booking reservation serial model store promo coupon "
            "voucher version firmware build invoice receipt transaction quote reference ref "
            "sku item part product extension ext room flight gate seat meter imei parcel "
            "consignment waybill pnr itinerary licence license asset tag job".split(),
            "gift card",
            "work order",
            "return order",
            "complaint",
            "service request",
        ],
        "LOOKALIKE",
    ),
    **dict.fromkeys(
        [
            *"phone cell cellphone mobile landline telephone tel callback fax whatsapp line "
            "call ring sms".split(),
            "call me",
            "ring me",
            "number to reach",
            "reach you",
            "reach me on",
            "reach me at",
            "call back",
            "reach me",
            "text me",
            "contact number",
        ],
        "PHONE",
    ),
    # "card no." names a payment card or a loyalty, membership or library card: which one,
    # the number's validity tells (`_card_account`)
    **dict.fromkeys(["card no", "card number", "card num", "card #"], _CARD_NO),
    **dict.fromkeys(
        [
            *"card ssn social zip zipcode postcode dob born birthday ending ends".split(),
            "last four",
            "last 4",
        ],
        "OTHER",
    ),
}
_Scan = tuple[re.Pattern[str], re.Pattern[str]]

# An identifier: chunks of letters and digits joined by single dashes or spaces, every chunk
# after an optional letter prefix holding a digit, optionally ending in a short letter
# suffix ("CR-20931-B").  Not followed by what would make it part of something else.
_CHUNK = r"[a-z]{0,4}\d[a-z0-9]*"
# The look-ahead says what the body implies (a digit within its first twelve characters, the
# ones before it all from "#", letters, " ", "/", "-"): it fails at once at a word with no
# digit after it, where the body's nested optional parts were tried dozens of ways each.
_ID_BODY = (
    r"(?=[#a-z /-]{0,11}\d)"
    rf"#?(?:(?P<prefix>[a-z]{{1,5}})[ /-]?)?{_CHUNK}(?:[ /-]{_CHUNK}|[/-][a-z]{{1,3}}\b)*"
    r"(?![\w@]|[./:]\d)"
)
_ID_RX = re.compile(rf"(?<![\w'’@./-])(?P<id>{_ID_BODY})")
_TOKEN_RX = re.compile(rf"(?<![\w'’@.,$/-])(?P<id>{_ID_BODY})")
# What may stand between an account cue and its value: "no.", "number's", "# is", "id:",
# "number on file is", "is under", "it's", "would be".
_FILLER_RX = re.compile(
    r"(?:,?\s*(?:no\.|ref\.|#|"
    r"(?:numbers?(?: of)?|no|num|nr|id|code|ref|reference|card)(?![a-z0-9])))*(?:'s)?"
    # "number on my statement is", "number for this is", "is on my letter:"
    r"(?:\s+(?:on|for|from|in) (?:the|my|your|our|this|that)(?: (?!is\b)[a-z]+)?(?=\s+is\b|:))?"
    r"(?:\s*(?:on file|here|handy|is|was|would be|will be|should be|reads|under|being|"
    r"which is|as|on (?:the|my|your|our) [a-z]+(?=:)|=|:|-|–|—|,|\())*"
    r"(?:,?\s*(?:it's|its|it is|my|the|our|just|i think|i believe|probably|um|uh|erm|yeah)"
    r"(?![a-z]))*\s*:?\s*"
)
# An identifier read out: digit words ("oh", "double four"), letters spelled one by one,
# pauses ("...", ",", "dash", "slash") between them ("c r ... six four three six eight t l").
_SAID_DIGIT_WORDS = tuple("zero oh one two three four five six seven eight nine".split())
_SAID_DIGIT = "(?:" + "|".join(_SAID_DIGIT_WORDS) + ")"
_SAID_TOKEN = rf"(?:(?:double|triple) {_SAID_DIGIT}|{_SAID_DIGIT}|[a-z])"
_SAID_SEP = r"(?:[ \t]*(?:\.\.\.|,|-|/)[ \t]*|[ \t]+(?:dash|slash|hyphen)[ \t]+|[ \t]+)"
_SAID_ID_RX = re.compile(
    rf"(?<![\w'’])(?:(?P<lead>[a-z]{{2,3}}){_SAID_SEP})?{_SAID_TOKEN}(?:{_SAID_SEP}{_SAID_TOKEN})*"
    r"(?![\w'’])"
)
_SAID_DIGITS_RX = re.compile(rf"(?:(?P<n>double|triple) )?{_SAID_DIGIT}\b")


def _said_digits(value: str) -> int:
    return sum(
        {"double": 2, "triple": 3}.get(m.group("n") or "", 1)
        for m in _SAID_DIGITS_RX.finditer(value)
    )


def _said_id(low: str, pos: int, end: int) -> tuple[int, int] | None:
    """A read-out identifier starting at *pos* with five digits or more, or None."""
    m = _SAID_ID_RX.match(low, pos, end)
    if not m or _said_digits(m.group()) < 5:
        return None
    return _said_start(m), _said_end(low, m.start(), m.end())


def _said_start(m: re.Match[str]) -> int:
    """Where a read-out identifier starts: at a short letter prefix ("pl dash four ..."),
    unless that is a word ("um", "yes", "its")."""
    lead = m.group("lead")
    if lead and (lead in _STOP_PREFIX or lead in _SPOKEN_FILLERS):
        sep = _SAID_SEP_RX.match(m.string, m.end("lead"))
        return sep.end() if sep else m.end("lead")
    return m.start()


_SAID_SEP_RX = re.compile(_SAID_SEP)
_SPOKEN_FILLERS = frozenset("um uh er erm hm hmm ok so yes yep yeah nah no its it's sure".split())


_SAID_TAIL_RX = re.compile(r"(?:\W+[ai])+$")


def _said_end(low: str, start: int, end: int) -> int:
    """The end of a read-out identifier without a last "i" or "a" that begins the words
    after it ("... two nine i think")."""
    if end < len(low) and low[end] == " " and low[end + 1 : end + 2].isalpha():
        tail = _SAID_TAIL_RX.search(low, start, end)
        if tail:
            return tail.start()
    return end


# Letters spelled one by one before spoken digits ("a c c four three ...", "m b r, six ..."):
# the identifier's prefix, read out.
_SPELLED_RX = re.compile(r"(?:[a-z](?:\.\.\.|[,.])?\s+){1,5}")
_SPELL_SKIP = " ,."
# Before an account cue: "77310925 is my", "4410-229-871, that's the".
_NAMED_BEFORE_RX = re.compile(
    rf"(?<![\w'’@.,$/-])(?P<id>{_ID_BODY})(?:[,;]?\s+"
    r"(?:is|was|that's|thats|that is|it's|its|being|as)\s+(?:my|the|our)\s+"
    r"|\s*[(–—-]\s*(?:(?:my|the|our)\s+)?)$"
)
_NAMED_BEFORE_ENDS = ("my ", "the ", "our ")
# "44712209 (member ID)", "44712209 - my account number"
_ASIDE_BEFORE_RX = re.compile(r"\d\s*[(–—-]\s*(?:(?:my|the|our)\s+)?$")
_NAMED_VERBS = frozenset("is was that's thats it's its being as".split())
# After a reply's value: "55120934 is the ticket number" names it by a cue of its own.
_NAMED_AFTER_RX = re.compile(
    r"[,;]?\s+(?:is|was|that's|thats|it's|being|as)\s+(?:my|the|our|your)\s"
)
_CLAUSE_END_RX = re.compile(r"[.;!?\n]")
_DIGIT = re.compile(r"\d")
_MAX_CUE_TO_ID = 48  # longest filler ("number's on file is it's my ") and then some
_STOP_PREFIX = (
    COMMON_WORDS
    | frozenset(CUE_CLASSES)
    | frozenset(
        "is was my the its no num nr id of on in at for to and number or s a an by since from "
        "born placed dated until due after before opened being which as".split()
    )
)
_FILLER_PREFIX = frozenset("is was no num nr id number s its".split())
_ACCOUNT_WORDS = frozenset(w for w, kind in CUE_CLASSES.items() if kind == _ACCOUNT)
_NEVER_PREFIX = frozenset(CUE_CLASSES) - _ACCOUNT_WORDS | frozenset(
    "born placed dated until due after before opened since from".split()
)
_DATE_LIKE = re.compile(
    r"^(\d{1,2})[-./](\d{1,2})[-./](?:\d{2}|\d{4})$|^\d{4}[-./]\d{1,2}[-./]\d{1,2}$"
)


def _date_like(value: str) -> bool:
    """ "03-14-1985", "14.03.85", "1985-03-14": a date, not an identifier."""
    m = _DATE_LIKE.match(value)
    if not m:
        return False
    if m.group(1) is None:
        return True
    a, b = int(m.group(1)), int(m.group(2))
    return 1 <= min(a, b) <= 12 and max(a, b) <= 31


def _clean(m: re.Match[str], after_word: bool = False) -> tuple[int, int] | None:
    """Offsets of the identifier, minus a filler word the regex took as a prefix.

    With *after_word*, an ordinary word before the digits ("yep 6004112933") is left out;
    otherwise it means the digits are not what the cue names ("account balance 12500").
    A look-alike cue before them is never a prefix ("account: case 44120987"), an account
    cue may be ("account number is acc 67143826"); letters joined
    to the digits by a dash always are ("ACC-41067351", "C-7755550").
    """
    start, end = m.span("id")
    prefix = m.group("prefix")
    glued = prefix and (
        m.string[m.end("prefix") : m.end("prefix") + 1] in ("-", "/")
        or m.string[m.end("prefix") : m.end("prefix") + 1].isdigit()
    )
    if prefix and not glued and prefix in _STOP_PREFIX and prefix not in _ACCOUNT_WORDS:
        if prefix in _NEVER_PREFIX or not (after_word or prefix in _FILLER_PREFIX):
            return None
        start = m.start("id") + len(prefix)
        while start < end and not m.string[start].isalnum() and m.string[start] != "#":
            start += 1
    value = m.string[start:end]
    digits = sum(c.isdigit() for c in value)
    if digits < 5 or _date_like(value):
        return None
    return start, end


class _Cues:
    """The cue words of *scan* in doc.text[start:end], by offset, with their classes.

    The whole transcript is searched for account cues only; all classes are searched only in
    replies to an account question, which keeps the common case as cheap as one small scan.
    Speaker labels ("Customer:") are among the hits; `_cued` skips them when it matters.
    """

    def __init__(self, doc: Doc, scan: _Scan, start: int, end: int) -> None:
        spaced = doc.spaced
        self.hits = [
            (m.start() + 1, m.end(), CUE_CLASSES[m.group()[1:]])
            for m in scan[0].finditer(spaced, max(0, start - 1), end)
        ]
        if start == 0 or spaced[start - 1] == " ":
            first = scan[1].match(spaced, start, end)
            if first and (not self.hits or self.hits[0][0] != start):
                self.hits.insert(0, (start, first.end(), CUE_CLASSES[first.group()]))
        self.starts = [h[0] for h in self.hits]
        self.spaced = spaced

    def kinds_between(self, start: int, end: int) -> set[str]:
        """The cue words (not classes) found in [start, end)."""
        i = bisect_left(self.starts, start)
        out: set[str] = set()
        while i < len(self.starts) and self.starts[i] < end:
            out.add(self.spaced[self.hits[i][0] : self.hits[i][1]])
            i += 1
        return out

    def any_between(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, start)
        return i < len(self.starts) and self.starts[i] < end


def _cue_scan(words: Iterable[str]) -> _Scan:
    """Like `word_cue_pattern`, but a cue must also end a word ("acc" is not "according")."""
    body = "(?:" + literal_trie_pattern(words) + r")(?![a-z0-9])"
    return re.compile(" " + body), re.compile(body)


_ALL_CUES = _cue_scan(CUE_CLASSES)
_ACCOUNT_CUES = _cue_scan(w for w, kind in CUE_CLASSES.items() if kind in (_ACCOUNT, _CARD_NO))


def _after_cue(doc: Doc, end: int, runs: dict[int, DigitRun]) -> tuple[int, int] | None:
    """The value right after an account cue ending at *end*, if any."""
    low = doc.low
    lead = _FILLER_RX.match(low, end)
    pos = lead.end() if lead else end
    spelled = _SPELLED_RX.match(low, pos)
    run = runs.get(spelled.end() if spelled else pos) or runs.get(pos)
    said = _said_id(low, pos, min(len(low), pos + 160))
    if said is not None and (run is None or said[1] >= run.end):
        return said
    if run is not None and run.spoken:
        return pos, run.end
    m = _ID_RX.match(low, pos)
    if not m or "\n" in m.group():
        return None
    got = _clean(m)
    if got and low[got[0] - 1] == "#":
        return got[0] - 1, got[1]  # "order #105854701": the filler took the sign
    return got


def _names_before(low: str, pos: int) -> bool:
    """A cheap test for "... is my" / "that's the" right before *pos*."""
    if not low.endswith(_NAMED_BEFORE_ENDS, 0, pos):
        return _ASIDE_BEFORE_RX.search(low, max(0, pos - 12), pos) is not None
    words = low[max(0, pos - 16) : pos].split()
    return len(words) >= 2 and (words[-2] in _NAMED_VERBS or words[-2:-1] == ["is"])


def _named_by(low: str, pos: int) -> int | None:
    """Where "... is my" ends before the cue at *pos*, also with one word between ("is my
    supply account", "that's the old member number"), or None."""
    if _names_before(low, pos):
        return pos
    word = low.rfind(" ", max(0, pos - 24), pos - 1)
    between = low[word + 1 : pos - 1]
    if word > 0 and between.isalpha() and between not in CUE_CLASSES:
        return word + 1 if _names_before(low, word + 1) else None
    return None


def _before_cue(doc: Doc, turn: Turn, pos: int) -> tuple[int, int] | None:
    """The value named by "<value> is my" right before an account cue at *pos*."""
    m = _NAMED_BEFORE_RX.search(doc.low, max(turn.body, pos - 64), pos)
    return _clean(m) if m else None


# Who speaks, as opposed to which field a form line fills ("Member:" vs "Member no.:").
_ROLE_WORDS = frozenset("customer client member patient subscriber user caller guest".split())
_FIELD_WORDS = frozenset("number no no. num # id ref code".split())
_LABEL_WORDS_RX = re.compile(r"[a-z/#.]+")


def _field_label(label: str) -> bool:
    """Whether a line's "label:" prefix names a field ("Acct:", "Customer number:"), so
    that its account cue applies to the value after it, rather than a speaker."""
    words = _LABEL_WORDS_RX.findall(label)
    if not words:
        return False
    return bool(_FIELD_WORDS.intersection(words)) or words[0] not in _ROLE_WORDS


def _cued(doc: Doc, cues: _Cues) -> list[Span]:
    low = doc.low
    runs = {r.start: r for r in doc.spoken}
    spans: list[Span] = []
    for pos, end, kind in cues.hits:
        if kind not in (_ACCOUNT, _CARD_NO) or _in_lookalike_phrase(low, pos, end):
            continue
        got: tuple[int, int] | None = None
        # Most cue words ("customer", "order") are not near an identifier: a digit search
        # is far cheaper than the patterns' backtracking, and than finding the turn.
        if (
            _DIGIT.search(low, end, end + _MAX_CUE_TO_ID) is not None
            or _any_between(doc.spoken_starts, end, end + _MAX_CUE_TO_ID)
            or _SAID_HINT_RX.search(low, end, end + _MAX_CUE_TO_ID) is not None
        ):
            turn = doc.turn_at(pos)
            if pos < turn.body and not _field_label(doc.low[turn.start : turn.body]):
                continue  # the speaker label ("Customer: ...") is not a cue
            got = _after_cue(doc, end, runs)
        if got is None and _DIGIT.search(low, max(0, pos - 64), pos) is not None:
            named = _named_by(low, pos)
            if named is not None:
                got = _before_cue(doc, doc.turn_at(pos), named)
        if got and (kind == _ACCOUNT or _card_account(low, pos, low[got[0] : got[1]])):
            spans.append(Span(got[0], got[1], "ACCOUNT_ID"))
    return spans


# Cards whose number is not the customer's own identifier at a business.
_OTHER_CARDS = frozenset("gift prepaid credit debit bank payment sim visa mastercard amex".split())


# Look-alike cues of several words whose last word is an account cue ("work order").
_LOOKALIKE_PHRASES: dict[str, tuple[str, ...]] = {}
for _phrase, _kind in CUE_CLASSES.items():
    if _kind == "LOOKALIKE" and " " in _phrase:
        _last = _phrase.rsplit(" ", 1)[1]
        _LOOKALIKE_PHRASES[_last] = (*_LOOKALIKE_PHRASES.get(_last, ()), _phrase)


_WORD_BEFORE_RX = re.compile(r"([a-z]{4,})\s+$")


def _in_lookalike_phrase(low: str, pos: int, end: int) -> bool:
    """Whether the account cue at *pos* ends a look-alike cue ("work order", "return order"),
    which the account-only scan finds as its last word."""
    phrases = _LOOKALIKE_PHRASES.get(low[pos:end], ())
    for phrase in phrases:
        start = end - len(phrase)
        if (
            start >= 0
            and low.startswith(phrase, start)
            and (start == 0 or not low[start - 1].isalnum())
        ):
            return True
    if not phrases:
        return False
    before = _WORD_BEFORE_RX.search(low, max(0, pos - 16), pos)
    if before is None or is_english(before.group(1)):
        return False  # "word order", "york order": real words, no typo
    return any(
        OSA.distance(before.group(1), phrase.split(" ", 1)[0], score_cutoff=1) <= 1
        for phrase in phrases
    )  # typed with one letter wrong, missing or swapped ("wrok order")


def _card_account(low: str, pos: int, value: str) -> bool:
    """Whether the number of a "card no." at *pos* is a customer's loyalty or membership
    card rather than a payment, gift or SIM card: not named as one of those, and letters in
    it, or six digits or more that fail the Luhn check."""
    before = low[max(0, pos - 12) : pos].split()
    if before and before[-1] in _OTHER_CARDS:
        return False
    digits = "".join(c for c in value if c.isdigit())
    if any(c.isalpha() for c in value):
        return True
    return len(digits) >= 6 and not (13 <= len(digits) <= 19 and luhn.is_valid(digits))


def _named_after(doc: Doc, cues: _Cues, end: int) -> bool:
    """Whether "<value> is the <cue>" follows the value ending at *end*."""
    m = _NAMED_AFTER_RX.match(doc.low, end)
    if not m:
        return False
    stop = _CLAUSE_END_RX.search(doc.low, m.end(), m.end() + 40)
    return cues.any_between(m.end(), stop.start() if stop else m.end() + 40)


def _long_enough(value: str) -> bool:
    """An uncued reply needs six digits, or five with letters ("CR/54879/LU"): shorter
    numbers are more often quantities, prices or years."""
    digits = sum(c.isdigit() for c in value)
    return digits >= 6 or (digits == 5 and any(c.isalpha() for c in value))


def reply_candidates(doc: Doc, turn: Turn) -> list[tuple[int, int]]:
    """Identifiers in *turn* long enough to stand without a cue (`_long_enough`), written,
    spoken or spelled, in order; overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for m in _TOKEN_RX.finditer(doc.low, turn.body, turn.end):
        got = _clean(m, after_word=True)
        if got and _long_enough(doc.low[got[0] : got[1]]):
            out.append(got)
    lo = bisect_left(doc.spoken_starts, turn.body)
    hi = bisect_left(doc.spoken_starts, turn.end, lo)
    out += [(_spelled_start(doc.low, r.start, turn.body), r.end) for r in doc.spoken[lo:hi]]
    if _SAID_HINT_RX.search(doc.low, turn.body, turn.end):
        for m in _SAID_ID_RX.finditer(doc.low, turn.body, turn.end):
            if _said_digits(m.group()) >= 5:
                out.append((_said_start(m), _said_end(doc.low, m.start(), m.end())))
    return sorted(_widest(out))


_SAID_HINT_RX = re.compile(word_start_alternatives(_SAID_DIGIT_WORDS))


def _widest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Of candidates that overlap, the one that starts first and reaches furthest."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda se: (se[0], -se[1])):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _spelled_start(low: str, start: int, floor: int) -> int:
    """Where a spoken identifier starts, counting letters spelled one by one before its
    digits ("a c c four three ...", "m b r, six double oh ...")."""
    letters = 0
    while letters < 5:
        i = start
        while i > floor and low[i - 1] in _SPELL_SKIP:
            i -= 1
        if i == start or i <= floor or not low[i - 1].isalpha():
            break
        if i - 1 > floor and low[i - 2] not in _SPELL_SKIP and low[i - 2] != "\n":
            break  # "it's": a letter ending a word is no spelled letter
        start = i - 1
        letters += 1
    return start


def _answering(doc: Doc) -> list[Turn]:
    """Customer turns that answer a request for an account id: the agent's topic, or named
    among other things in the agent's latest block ("your name and account number?"),
    unless a phone number was asked for too (the first number could be either)."""
    out: list[Turn] = []
    asked = False
    after_agent = False
    for turn in doc.turns:
        if turn.is_agent:
            if not after_agent:
                asked = False
            after_agent = True
            topics = asked_topics(doc.low[turn.body : turn.end])
            if topics:
                asked = "ACCOUNT_ID" in topics and "PHONE" not in topics
            continue
        after_agent = False
        if turn.topic == "ACCOUNT_ID" or asked:
            out.append(turn)
    return out


def _answers(doc: Doc) -> list[Span]:
    """The first uncued identifier in each reply to a question asking for one."""
    spans: list[Span] = []
    for turn in _answering(doc):
        candidates = reply_candidates(doc, turn)
        if not candidates:
            continue
        cues = _Cues(doc, _ALL_CUES, turn.body, turn.end)
        for start, end in candidates:
            own = cues.kinds_between(turn.body, start)
            if own and not (own == {"card"} and _card_account(doc.low, start, doc.low[start:end])):
                break  # the reply's own cue decides, here and after it ("the one on my card
                # is ..." still answers, unless the number is a payment card's)
            if _named_after(doc, cues, end):
                continue
            spans.append(Span(start, end, "ACCOUNT_ID"))
            break
    return spans


def find_accounts(doc: Doc) -> list[Span]:
    """Identifiers named by an account cue, plus the first uncued one in a reply to an
    agent asking for one; then every other mention of the same identifier ("So that's
    MB-4471220, correct?")."""
    spans = _cued(doc, _Cues(doc, _ACCOUNT_CUES, 0, len(doc.low))) + _answers(doc)
    return spans + repeats(doc.low, spans)


def repeats(low: str, spans: list[Span]) -> list[Span]:
    """Every other whole-word mention of the values of *spans*."""
    values = {v for v in (low[s.start : s.end] for s in spans) if _ALNUM_RX.search(v)}
    seen = {(s.start, s.end) for s in spans}
    found = _find_each(low, values) if len(values) <= _FEW_VALUES else _find_by_word(low, values)
    return [Span(i, j, "ACCOUNT_ID") for i, j in found if (i, j) not in seen]


# Up to this many values, one `str.find` pass per value is cheapest; beyond it (a long
# transcript, or one built to be slow) the text is split into words once instead, so that
# the time grows with the text rather than with the text times the number of values.
_FEW_VALUES = 8
_ALNUM_RX = re.compile(r"[^\W_]+")


def _whole_word(low: str, i: int, j: int) -> bool:
    return (i == 0 or not low[i - 1].isalnum()) and (j == len(low) or not low[j].isalnum())


def _find_each(low: str, values: Iterable[str]) -> list[tuple[int, int]]:
    """Each value's whole-word mentions, left to right, none overlapping another of the
    same value."""
    out: list[tuple[int, int]] = []
    for value in values:
        i = low.find(value)
        while i >= 0:
            j = i + len(value)
            if _whole_word(low, i, j):
                out.append((i, j))
                i = low.find(value, j)
            else:
                i = low.find(value, i + 1)
    return out


def _find_by_word(low: str, values: Iterable[str]) -> list[tuple[int, int]]:
    """What `_find_each` finds, from one pass over the words of *low*: a value is looked up
    by the tuple of its words ("4471-00001" -> 4471, 00001), so that ids sharing a first
    word cost no more than others."""
    index: dict[str, dict[int, dict[tuple[str, ...], list[tuple[str, int]]]]] = {}
    for value in values:
        parts = _ALNUM_RX.findall(value)
        offset = value.find(parts[0])  # "#4471" starts one character before "4471"
        by_len = index.setdefault(parts[0], {})
        by_len.setdefault(len(parts), {}).setdefault(tuple(parts), []).append((value, offset))
    matches = list(_ALNUM_RX.finditer(low))
    words = [m.group() for m in matches]
    out: list[tuple[int, int]] = []
    free: dict[str, int] = {}  # per value, where its next mention may start
    for k, m in enumerate(matches):
        lengths = index.get(words[k])
        if lengths is None:
            continue
        for n, table in lengths.items():
            for value, offset in table.get(tuple(words[k : k + n]), ()):
                i = m.start() - offset
                j = i + len(value)
                if i >= free.get(value, 0) and low.startswith(value, i) and _whole_word(low, i, j):
                    out.append((i, j))
                    free[value] = j
    return out


def _any_between(starts: list[int], lo: int, hi: int) -> bool:
    """Whether a sorted list of offsets holds one in [lo, hi)."""
    k = bisect_left(starts, lo)
    return k < len(starts) and starts[k] < hi


# A clause ends at ".", "!", "?" or ";" and a space, except the dot of an abbreviation such
# as "no." or "tel." (the cue "acct no. 4471" spans it).
_CLAUSE_BREAK_RX = re.compile(r"(?<!\bno)(?<!\btel)[.!?;]\s")
_CUE_WINDOW = 48


def nearest_cue(doc: Doc, start: int) -> str | None:
    """The class ("ACCOUNT", "LOOKALIKE", "PHONE", "OTHER") of the nearest cue word before
    *start* in its line and clause (a form line's label counts), or None.

    Why: a number's shape says little about what it is; the closest word naming it does
    ("complaint reference 313-812-1476" is not a phone number, "text me at ..." is one).
    """
    turn = doc.turn_at(start)
    label = doc.low[turn.start : turn.body]
    lo = max(turn.start if _field_label(label) else turn.body, start - _CUE_WINDOW)
    for m in _CLAUSE_BREAK_RX.finditer(doc.low, lo, start):
        lo = m.end()
    hits = _Cues(doc, _ALL_CUES, lo, start).hits
    return hits[-1][2] if hits else None


def cue_after(doc: Doc, end: int) -> str | None:
    """The class of the cue naming the value that ends at *end* after it ("... as your
    contact number", "... is my mobile"), or None."""
    m = _NAMED_AFTER_RX.match(doc.low, end)
    if not m:
        return None
    stop = _CLAUSE_END_RX.search(doc.low, m.end(), m.end() + 40)
    hits = _Cues(doc, _ALL_CUES, m.end(), stop.start() if stop else m.end() + 40).hits
    return hits[0][2] if hits else None
