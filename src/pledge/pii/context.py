"""Conversation structure and cue words shared by the detectors.

Customer-service transcripts are dialogues: a value's meaning often comes from the
*question* in the other speaker's previous turn ("What is your date of birth?" then
"03/14/1985").  This module splits a transcript into turns, tells agent turns from customer
turns, labels each customer turn with the topic the agent last asked about, and turns digit
runs -- written ("212-555-0199") or spoken ("two one two, five five five ...") -- into plain
digit strings with their offsets, so card, SSN, phone and account detectors share one scan.

Speed: cue patterns run case-sensitively over a lower-cased copy of the text (``Doc.low``,
same length, so offsets agree) and start with a literal alternation, which lets the regex
engine skip most positions; IGNORECASE and a leading ``\\b`` would make every scan several
times slower.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from pledge.pii.name_data import FIRST_NAMES

__all__ = [
    "ROLE_WORDS",
    "DigitRun",
    "Doc",
    "Turn",
    "asked_topics",
    "digit_runs",
    "is_word_start",
    "literal_trie_pattern",
    "make_doc",
    "replace_each",
    "safe_lower",
    "split_turns",
    "turn_at",
    "word_cue_pattern",
    "word_cues",
    "word_start_alternatives",
]

# Optional timestamp ("[10:32]", "10:32:05 -", "(2:14 PM)"), a speaker of a few words, a colon.
_TIME = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?[\])]?\s*[-–—]?\s*)"
_TURN_RX = re.compile(
    rf"[ \t>]*{_TIME}?(?P<speaker>[^\W\d_][\w .'’()-]{{0,28}}?)[ \t]*{_TIME}?[ \t]*[:>][ \t]*"
)
_AGENT_WORDS = frozenset(
    "agent bot assistant rep representative support operator advisor adviser associate "
    "system va ai specialist staff helpdesk service host concierge virtual chatbot "
    "csr tech technician officer ivr reception receptionist desk frontdesk team".split()
)
_CUSTOMER_WORDS = frozenset(
    "customer caller user client me member guest visitor patient "
    # the same roles as other languages' chat tools label them
    "kunde kundin anrufer benutzer cliente usuario utilisateur klant beller gebruiker kund "
    "asiakas klient".split()
)
ROLE_WORDS = _AGENT_WORDS | _CUSTOMER_WORDS

# Topic cues: what an agent's request is about.  When a request mentions several ("the email
# address on the account"), the one named first wins.  All cues are plain literals in one
# alternation (the regex engine then skips non-candidate positions quickly); the matched
# literal maps back to its label.
# Booking, reservation and reference numbers are look-alikes (`accounts`), not identifiers
# of the person, so a question about them sets no topic.
_ID_WORDS = [
    *"account acct order member membership policy customer client subscriber subscription "
    "loyalty rewards contract billing a/c patient student employee".split(),
    "frequent flyer",
    "frequent flier",
    "frequent-flyer",
    "frequent-flier",
    "frequent traveller",
    "frequent traveler",
    "client ref",
    *(
        f"{who} {what}"
        for who in "account customer client member membership policy billing".split()
        for what in ("reference", "ref")
    ),
    *(f"{what} card" for what in "membership member loyalty rewards reward club".split()),
]
_ID_SUFFIXES = ("number", "no.", "no", "num", "#", "id", "code")
_TOPIC_CUES: dict[str, str] = {
    **dict.fromkeys(["email", "e-mail"], "EMAIL"),
    **dict.fromkeys(["ssn", "social security", "social"], "US_SSN"),
    **dict.fromkeys(["birth", "dob", "d.o.b", "born"], "DATE_OF_BIRTH"),
    "card": "CREDIT_CARD",
    **dict.fromkeys([" ip ", " ip?", " ip.", "ip address", "whatismyip"], "IP_ADDRESS"),
    **dict.fromkeys(
        [
            "phone",
            "callback",
            "call back",
            "call you",
            "cell number",
            "your cell",
            "mobile",
            "contact number",
            "text you",
            "reach you",
            "ring you",
            "whatsapp",
        ],
        "PHONE",
    ),
    **dict.fromkeys(
        ["address", "ship to", "ship it to", "deliver", "where do you live"], "STREET_ADDRESS"
    ),
    **dict.fromkeys(
        [
            "your name",
            "the name",
            "full name",
            "first name",
            "last name",
            "legal name",
            "who am i speaking",
            "speaking with",
            "who do i have",
            "may i ask who",
            "who am i talking",
            "who am i chatting",
            "who is this",
            "who's this",
            "who is calling",
            "name please",
            "name, please",
            "your surname",
            "the surname",
            "whose name",
            "spell your",
            "spell that",
        ],
        "PERSON",
    ),
    # named whole, these ask for an identifier ("the number on your membership card")
    **{w: "ACCOUNT_ID" for w in _ID_WORDS if " " in w},
    **{
        f"{w}{sep}{suf}": "ACCOUNT_ID"
        for w in _ID_WORDS
        for suf in _ID_SUFFIXES
        for sep in ("", " ")
    },
}


def literal_trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of *words*, factored as a trie.

    ``sre`` tries alternatives one by one, so a flat alternation of 200 literals costs 200
    attempts at every position; the trie costs about one per character.  Longer words win
    over their prefixes.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def word_start_alternatives(words: Iterable[str]) -> str:
    """A pattern finding what ``\\b(?:w1|w2|...)\\b`` finds (each word at a word start and a
    word end), written so that ``sre`` can skip to candidates in C.

    A pattern that opens with ``\\b`` has no prefix for ``sre`` to search for, so a match is
    tried at every position; one whose branches all open with a letter gives it the set of
    first letters.  So each branch is a first letter, then the word start checked behind it
    (``(?<!\\w.)``: no word character before that letter), then the rest of the words that
    open with it, as a trie.  Not wrapped in a group: the branches must stand at the top
    level of the pattern.
    """
    groups: dict[str, list[str]] = {}
    for word in words:
        if not word or not (word[0].isalnum() or word[0] == "_"):
            raise ValueError(f"not a word: {word!r}")
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(
        rf"{re.escape(first)}(?<!\w.)(?:{literal_trie_pattern(rests)})\b"
        for first, rests in sorted(groups.items())
    )


_TOPIC_RX = re.compile(literal_trie_pattern(_TOPIC_CUES))
# An id word on its own ("Which account is this about?", "Can I have your acct?") asks for
# the identifier only when the request names nothing else ("the name on the account").
_WEAK_ID_CUES = (
    *("account", "acct", "a/c", "client ref", "policy", "membership", "mrn"),
    *(w for w in _ID_WORDS if w.endswith((" ref", " reference", " card", "flyer", "flier"))),
)
_WEAK_ID_RX = re.compile(word_start_alternatives(_WEAK_ID_CUES))
# "Number" alone, asked for ("And a number in case we get cut off?"), is a phone number.
_WEAK_PHONE_RX = re.compile(r"\b(?:a|your|best|good) number\b")


def _weak_phone(sentence: str) -> bool:
    """`_WEAK_PHONE_RX` found in *sentence*; a substring test first (most lines hold no
    "number"), since the pattern is tried at every position."""
    return "number" in sentence and _WEAK_PHONE_RX.search(sentence) is not None


# A sentence is a request (and so sets the topic of the reply) if it asks or instructs.
_REQUEST_RX = re.compile(
    r"\?|"
    + word_start_alternatives(
        [
            *"what whats which who whose can could may would please tell share provide enter "
            "confirm type give spell read verify need send".split(),
            *("do you have", "have you got", "do you know", "you got"),
        ]
    )
)
# "no." ("your member no. if you have it?") ends an abbreviation, not a sentence.
# The first space, then what is behind it (opening with a look-behind, the pattern would be
# tried at every position; opening with "\\s", only at spaces).
_SENTENCE_SPLIT = re.compile(r"\s(?<=[.?!]\s)(?<!\bno\.\s)(?<!\bnr\.\s)\s*")
_WORDS_RX = re.compile(r"[a-z]+")


class Turn(NamedTuple):
    """One line of dialogue.  ``body`` starts after the speaker prefix.

    A NamedTuple rather than a frozen dataclass: transcripts have dozens of turns and
    dataclass construction showed up in profiles.
    """

    start: int
    body: int
    end: int
    is_agent: bool
    topic: str | None  # what the agent asked for just before this (customer) turn


_new_tuple = tuple.__new__  # a Turn without NamedTuple's Python-level __new__ (one per line)


# A business writing under its own name ("Contoso Telecom: your order has shipped") is
# the answering side, for its own line only: in a text thread the unlabelled lines after it
# are the customer's.
_BRAND_WORDS = frozenset(
    "bank telecom telco energy power electric gas water utilities mobile wireless broadband "
    "cable insurance airlines airways rail railways travel pharmacy clinic health dental "
    "credit union finance store shop hotels motors".split()
)
# A brand's social-media handle ("@NorthwindHelp:", "@AskTailspin:", "@contoso_support:")
# answers for it: one of these words in it, or one of the last three ending it when it is
# written in lower case ("@northwindhelp", not "@skincare").
_HANDLE_WORDS = frozenset(("help", "support", "care", "team", "service", "official"))
_LOWER_HANDLE_ENDS = ("help", "support", "service")
_HANDLE_SPLIT_RX = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _label_words(speaker: str) -> list[str]:
    """The words of a speaker label; a handle's split at capitals and underscores
    ("@NorthwindHelp" -> northwind, help), so that "@steamfan" holds no "team"."""
    if speaker.startswith("@"):
        return [w.lower() for w in _HANDLE_SPLIT_RX.findall(speaker)]
    return _WORDS_RX.findall(speaker.lower())


@lru_cache(maxsize=256)
def _is_brand(speaker: str) -> bool:
    """A business's name: two words or more, the last a kind of business ("Contoso
    Telecom", "@NorthwindEnergy") or the first before "of" ("Bank of Contoso"), the first
    no given name ("Kevin Power" is a person)."""
    words = _label_words(speaker)
    return (
        len(words) >= 2
        and (words[-1] in _BRAND_WORDS or (words[0] in _BRAND_WORDS and words[1] == "of"))
        and words[0] not in FIRST_NAMES
        and _CUSTOMER_WORDS.isdisjoint(words)
    )


@lru_cache(maxsize=256)
def _is_agent(speaker: str) -> bool:
    words = _label_words(speaker)
    if not _CUSTOMER_WORDS.isdisjoint(words):
        return False
    if speaker.startswith("@"):
        one = speaker[1:]
        return (
            words[:1] == ["ask"]
            or not _HANDLE_WORDS.isdisjoint(words)
            or (one.islower() and one.endswith(_LOWER_HANDLE_ENDS))
        )
    return not _AGENT_WORDS.isdisjoint(words)


def _speaker(line: str) -> tuple[str | None, int]:
    """The speaker label of *line* and where its text starts, or (None, 0).

    Fast path for the common "Agent: ..." shape; timestamps and odd labels use the regex.
    """
    colon = line.find(":", 0, 40)
    if colon > 0:
        label = line[:colon]
        # one word of letters ("Agent") needs none of the checks below
        bare = (
            label if label.isalpha() else label.replace(" ", "").replace("(", "").replace(")", "")
        )
        if bare[:1] == "@" and bare[1:].replace("_", "").isalnum():
            bare = "handle"  # a social-media handle ("@NorthwindHelp", "@jane_doe")
        if bare.isalpha() and label.count(" ") <= 2 and label.strip():
            offset = colon + 1
            while offset < len(line) and line[offset] in " \t":
                offset += 1
            return label.strip(), offset
    m = _TURN_RX.match(line)
    if m and m.group("speaker").count(" ") <= 2:
        return m.group("speaker"), m.end()
    return None, 0


_NO_TOPICS: frozenset[str] = frozenset()


@lru_cache(maxsize=4096)
def _question(question: str) -> tuple[str | None, frozenset[str]]:
    """(`_topic`, `asked_topics`) of an agent line, worked out together: both read the same
    requests, and every agent line needs both (one when a reply follows, the other for the
    account rules).  Cached by line: agents and bots repeat the same questions across
    conversations."""
    cued = _TOPIC_RX.search(question + " ") is not None
    if not (cued or _WEAK_ID_RX.search(question) or _weak_phone(question)):
        return None, _NO_TOPICS  # half of agents' lines name no data point at all
    # a short phrase naming a field asks for it too ("and the first name", "your DOB"); each
    # asking sentence with the topics its cues name, in order (none when the line has none)
    asking = [
        (sentence, [_TOPIC_CUES[m.group()] for m in _TOPIC_RX.finditer(sentence + " ")])
        for sentence in _SENTENCE_SPLIT.split(question)
        if _REQUEST_RX.search(sentence) or sentence.count(" ") < 5
    ]
    return _last_topic(asking), frozenset(t for _, topics in asking for t in topics)


def _last_topic(asking: list[tuple[str, list[str]]]) -> str | None:
    for sentence, topics in reversed(asking):
        if topics:
            return topics[0]
        if _WEAK_ID_RX.search(sentence):
            return "ACCOUNT_ID"
        if _weak_phone(sentence):
            return "PHONE"
    return None


def _topic(question: str) -> str | None:
    """The data point an agent line asks for: in its last request, the first one named."""
    return _question(question)[0]


def asked_topics(question: str) -> frozenset[str]:
    """Every data point an agent line's requests name, by its topic cues ("Can I have your
    name and account number?" -> PERSON and ACCOUNT_ID), where `Turn.topic` keeps the
    first only."""
    return _question(question)[1]


def _block_topic(low: str, block: list[tuple[int, int]]) -> str | None:
    """Topic of an agent block (consecutive agent lines): its latest line that asks."""
    for body, end in reversed(block):
        found = _topic(low[body:end])
        if found:
            return found
    return None


def split_turns(text: str, low: str | None = None) -> list[Turn]:
    """Split *text* into lines; a line without a speaker prefix continues the previous role.

    Topics are computed lazily, only for agent blocks that a customer line answers.
    """
    low = safe_lower(text) if low is None else low
    turns: list[Turn] = []
    pos = 0
    last_agent = False
    block: list[tuple[int, int]] = []  # the current (or latest) agent block
    topic: str | None = None
    for line in text.split("\n"):
        end = pos + len(line)
        body = pos
        is_agent = last_agent
        speaker, offset = _speaker(line)
        brand = False
        if speaker is not None:
            body = pos + offset
            is_agent = _is_agent(speaker)
            brand = not is_agent and _is_brand(speaker)
            is_agent = is_agent or brand
        if is_agent:
            if not last_agent:
                block = []
            block.append((body, end))
            turns.append(_new_tuple(Turn, (pos, body, end, True, None)))
        else:
            if last_agent:
                topic = _block_topic(low, block)
            turns.append(_new_tuple(Turn, (pos, body, end, False, topic)))
        last_agent = is_agent and not brand
        pos = end + 1
    return turns


def turn_at(turns: list[Turn], offset: int, starts: list[int] | None = None) -> Turn:
    """The turn containing *offset* (turns are sorted and contiguous)."""
    keys = starts if starts is not None else [t.start for t in turns]
    return turns[max(0, bisect_right(keys, offset) - 1)]


def safe_lower(text: str) -> str:
    """Lower-case *text* without changing its length (so offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def word_cue_pattern(words: Iterable[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns finding *words* at word starts, for `word_cues`.

    A pattern that opens with a literal lets ``sre`` jump between occurrences of that
    character in C; one that opens with a set of letters (a trie of words) is tried at most
    positions and costs about three times as much.  So cue words are searched as " word" in
    `Doc.spaced` (line breaks and tabs turned into spaces), plus once at offset 0.
    """
    body = "(?:" + literal_trie_pattern(words) + ")"
    return re.compile(" " + body), re.compile(body)


def word_cues(
    spaced: str, patterns: tuple[re.Pattern[str], re.Pattern[str]]
) -> list[tuple[int, str]]:
    """(offset, cue) for cue words (see `word_cue_pattern`) after a space or at the start."""
    hits = [(m.start() + 1, m.group()[1:]) for m in patterns[0].finditer(spaced)]
    first = patterns[1].match(spaced)
    if first:
        hits.insert(0, (0, first.group()))
    return hits


def is_word_start(s: str, i: int) -> bool:
    return i == 0 or not (s[i - 1].isalnum() or s[i - 1] == "_")


# ----------------------------------------------------------------- digit runs
_WORD_DIGITS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_DW = "(?:" + literal_trie_pattern(_WORD_DIGITS) + ")"
_SPOKEN_TOKEN = rf"(?:\d+|{_DW}|(?:double|triple)[ \t]+(?:{_DW}|\d))"
# A pause in dictation is often written as an ellipsis ("four four ... seven six").
_SEP = r"(?:[ \t]*(?:\.\.\.|…|[-.,])[ \t]*|[ \t]+|[ \t]*\)[ \t]*)"
# Written runs start with a digit (cheap to scan for); the context before is checked in code.
# ASCII digits only: a digit of another script ("౦") never extends a card or phone number.
_WRITTEN_RX = re.compile(rf"[(0-9](?:(?<=\()[0-9])?[0-9]*(?:{_SEP}\(?[0-9]+)*\)?")
# A run read out starts at a word start: matched inside a word ("phone two one two ...",
# "freight five ...") and turned down after, it used to swallow the real run after it.
_SPOKEN_FIRST = rf"(?:\d+|(?<!\w)(?:{_DW}|(?:double|triple)[ \t]+(?:{_DW}|\d)))"
_SPOKEN_RX = re.compile(rf"\(?{_SPOKEN_FIRST}(?:{_SEP}\(?{_SPOKEN_TOKEN}\b)*\)?")
# Spoken digits are rare, so a cheap hint decides which run pattern to use; it opens with a
# literal space (see `word_cue_pattern`) and runs over the spaced copy of the text.
_SPOKEN_HINT_BODY = rf"(?:{_DW}|double|triple)[ \t,.-]+(?:{_DW}|\d)\b"
_SPOKEN_HINT = re.compile(" " + _SPOKEN_HINT_BODY)
_SPOKEN_HINT_AT_0 = re.compile(_SPOKEN_HINT_BODY)
_PIECE_RX = re.compile(rf"[0-9]+|(?:double|triple)[ \t]+\w+|{_DW}")
_BAD_BEFORE = frozenset(".,$£€#*/:@-_")
_PLUS_BEFORE = re.compile(r"(?:\+|plus)[ \t]*$")


class DigitRun(NamedTuple):
    """A maximal run of digit groups; ``groups`` are the digit strings as written."""

    start: int
    end: int
    digits: str
    groups: tuple[str, ...]
    plus: bool
    spoken: bool
    separators: str  # the non-digit characters between groups, e.g. "--" or "  "


def _piece_digits(piece: str) -> str:
    if piece[0].isdigit():
        return piece
    if piece.startswith(("double", "triple")):
        word = piece.split()[-1]
        digit = _WORD_DIGITS.get(word, word if word.isdigit() else "")
        return digit * (2 if piece.startswith("double") else 3)
    return _WORD_DIGITS[piece]


def _make_run(low: str, start: int, end: int, min_digits: int) -> DigitRun | None:
    if start and (low[start - 1].isalnum() or low[start - 1] in _BAD_BEFORE):
        return None
    if end < len(low) and (
        low[end].isalnum()
        or low[end] in "@_"
        or (low[end] in ".," and end + 1 < len(low) and low[end + 1].isdigit())
    ):
        return None
    chunk = low[start:end]
    if chunk.endswith(")") and "(" not in chunk:
        end -= 1
        chunk = chunk[:-1]
    pieces = list(_PIECE_RX.finditer(chunk))
    groups = tuple(_piece_digits(p.group()) for p in pieces)
    digits = "".join(groups)
    if len(digits) < min_digits:
        return None
    plus = _PLUS_BEFORE.search(low, max(0, start - 6), start)
    if plus and is_word_start(low, plus.start()):
        start = plus.start()
    seps = "".join(chunk[a.end() : b.start()].strip() or " " for a, b in itertools.pairwise(pieces))
    spoken = any(not p.group()[0].isdigit() for p in pieces)
    return DigitRun(start, end, digits, groups, bool(plus), spoken, seps)


def digit_runs(low: str, min_digits: int = 7, spaced: str | None = None) -> list[DigitRun]:
    """All digit runs with at least *min_digits* digits in lower-cased text.

    *spaced* is *low* with line breaks and tabs as spaces (computed if not given).
    """
    spaced = low.replace("\n", " ").replace("\t", " ") if spaced is None else spaced
    spoken = _SPOKEN_HINT.search(spaced) or _SPOKEN_HINT_AT_0.match(spaced)
    rx = _SPOKEN_RX if spoken else _WRITTEN_RX
    runs: list[DigitRun] = []
    for m in rx.finditer(low):
        if m.end() - m.start() < min_digits:
            continue  # every digit takes at least one character
        run = _make_run(low, m.start(), m.end(), min_digits)
        if run:
            runs.append(run)
    return runs


# Cues after which a number is a look-alike, not personal data ("tracking 1Z...", "case
# CS123", "card ending in 4821").  Checked against the few characters before a candidate.
_NEGATIVE_CUE_RX = re.compile(
    r"(?:tracking|track|case|ticket|dispute|incident|claim|model|serial|version|firmware|"
    r"ending(?: in| with)?|ends(?: in| with)?|last (?:four|4)(?: digits)?(?: of)?|store|"
    r"promo|coupon|voucher|confirmation|extension|ext|room|flight|gate|seat)"
    r"(?:\s*(?:number|no\.?|num|#|id|code))?(?:\s*(?:is|was|of|:))?\W{0,3}$"
)


# Characters that end a word but never occur inside a cue: turned into spaces in
# `Doc.spaced`, so "(dob 1/2/1980)" and "hi,thanks ana" still show their cues.
# Apostrophes, hyphens, dots, '#' and ':' stay, since cues contain them ("i'm", "d.o.b").
_SPACED_OUT = '\n\t\r()[]{},;"!?/'


def replace_each(text: str, chars: str, by: str) -> str:
    """*text* with every one of *chars* replaced by *by* (one character, not in *chars*).

    What ``str.translate`` does, but ``translate`` looks up a dictionary for every
    character (about 20 microseconds for a transcript of a thousand), while each
    ``in``/``replace`` is a fast search in C: twenty times faster here, and as fast for
    text in any script (``bytes.translate`` is, but only for ASCII)."""
    for ch in chars:
        if ch in text:
            text = text.replace(ch, by)
    return text


@dataclass(frozen=True, slots=True)
class Doc:
    """A transcript prepared once and shared by all detectors."""

    text: str
    low: str
    spaced: str  # ``low`` with line breaks and tabs as spaces (see `word_cue_pattern`)
    turns: list[Turn]
    starts: list[int]
    runs: list[DigitRun]
    negative: frozenset[int]  # starts of runs right after a look-alike cue
    spoken: list[DigitRun]  # the runs read out in words, in order
    spoken_starts: list[int]  # their starts, for bisecting (long transcripts hold many)

    def turn_at(self, offset: int) -> Turn:
        return turn_at(self.turns, offset, self.starts)


def make_doc(text: str) -> Doc:
    low = safe_lower(text)
    turns = split_turns(text, low)
    starts = [t.start for t in turns]
    spaced = replace_each(low, _SPACED_OUT, " ")
    runs = digit_runs(low, spaced=spaced)
    negative = set()
    for run in runs:
        turn = turn_at(turns, run.start, starts)
        if _NEGATIVE_CUE_RX.search(low, max(turn.body, run.start - 40), run.start):
            negative.add(run.start)
    spoken = [r for r in runs if r.spoken]
    return Doc(
        text,
        low,
        spaced,
        turns,
        starts,
        runs,
        frozenset(negative),
        spoken,
        [r.start for r in spoken],
    )
