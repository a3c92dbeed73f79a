"""Person names, from conversational evidence rather than a named-entity model.

Evidence, strongest first:

1. an introduction by the customer ("my name is ...", "name's ...", "call me ...");
2. the answer to a name question from the agent ("Who am I speaking with?" -> "sure, robert
   clark"), after stripping fillers such as "sure", "it's", "this is";
3. a weak introduction ("this is ...", "I'm ...", "it's ...") when the words look like a
   name: capitalised in mixed-case text, or a known given name in lower-case voice text;
4. a courtesy title ("Mr. Alvarez", "Dr Chen") or an agent addressing someone with a
   known given name ("thanks, Priya").

Every name found this way is then propagated: later mentions of the full name or of its
given name/surname anywhere in the transcript are marked too ("have a great day charles").
Names the agent gives itself ("I'm Nova, a virtual assistant") are bot names, not personal
data, and are never propagated.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pledge.pii.context import (
    ROLE_WORDS,
    Doc,
    Turn,
    literal_trie_pattern,
    word_cue_pattern,
    word_cues,
)
from pledge.pii.name_data import COMMON_WORDS, FIRST_NAMES, NAME_PARTICLES, SURNAMES
from pledge.pii.person_lexicon import lexicon_flags
from pledge.pii.person_model import find_learned_names
from pledge.pii.spans import Span

__all__ = ["find_names"]

# After a name word's first letter: a letter, or an apostrophe or hyphen before one.
_WORD_GOES_ON = r"(?:[^\W\d_]|['’-](?=[^\W\d_]))"
_TOKEN = rf"(?:[^\W\d_]{_WORD_GOES_ON}*\.?)"
_WORD = rf"(?:[^\W\d_]{_WORD_GOES_ON}*)"
"""A name token without the initial's period: an addressed name ends where the sentence does."""
_SIGNED_WORD = rf"(?>[^\W\d_]{_WORD_GOES_ON}{{0,40}})"
"""A name word of a signature: `_WORD` of at most 41 characters, never given back once
matched (what follows it, a space or the line end, cannot start with a letter, an
apostrophe or a hyphen, so giving back could never lead to a match).  Without the bound,
each dash of a line of hyphenated letters ("-a-a-a-...") started a word running to the
line's end: 14 s for a 40,000-character line."""
_NAME_RUN = re.compile(rf"{_TOKEN}(?:[ \t]+{_TOKEN}){{0,4}}")
# Cue phrases, by kind.  Each kind has its own pattern (run with ``match`` at a cue
# position), but the transcript is scanned for all of them in one pass (`_cue_hits`).
_STRONG_WORDS = (
    "my name is",
    "my name's",
    "my name was",
    "my full name is",
    "my first name is",
    "my legal name is",
    "my last name is",
    "my surname is",
    "my family name is",
    "name's",
    "the name is",
    "the name's",
    "full name is",
    "first name is",
    "last name is",
    "surname is",
    "name on the account is",
    "name on my account is",
    "call me",
)
_WEAK_WORDS = (
    "this is",
    "i'm",
    "i’m",
    "i am",
    "it's",
    "it’s",
    "it is",
    "im",
    "speaking with",
    "here is",
    "it's me",
    # "first name Anika, last name Patel": without "is" the words must look like a name
    "first name",
    "last name",
    "surname",
    "given name",
    "family name",
)
_TITLE_WORDS = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof")
_ADDRESSING_WORDS = (
    "thanks",
    "thank you",
    "thanks so much",
    "thank you so much",
    "thanks a lot",
    "thank you very much",
    "many thanks",
    "cheers",
    "appreciate it",
    "good morning",
    "good afternoon",
    "good evening",
    "welcome",
    "of course",
    "certainly",
    "absolutely",
    "excellent",
    "wonderful",
    "nice to meet you",
    "hi",
    "hello",
    "hey",
    "dear",
    "welcome back",
    "bye",
    "goodbye",
    "sorry",
    "no problem",
    "you're welcome",
    "got it",
    "great",
    "perfect",
    "okay",
    "ok",
    "alright",
    "sure",
    "done",
    "all done",
    "all set",
    "lovely",
    "brilliant",
    "noted",
    "understood",
    "right",
    "anything else",
    "found you",
    *(
        f"have a {adj} {what}"
        for adj in ("great", "good", "nice", "wonderful", "lovely")
        for what in ("day", "evening", "night", "one", "weekend", "afternoon")
    ),
)
_SELF_WORDS = ("i'm", "i’m", "i am", "this is", "my name is", "name's")
# Someone else named by their relation or by a request to reach them: "my son Jake",
# "put me through to Sandra Okafor".  The words after must look like a name (`_lexicon_name`).
_RELATION_WORDS = (
    *(
        f"my {who}"
        for who in (
            "son", "daughter", "wife", "husband", "partner", "spouse", "mum", "mom", "mother",
            "dad", "father", "brother", "sister", "grandmother", "grandfather", "grandma",
            "grandpa", "aunt", "uncle", "niece", "nephew", "cousin", "friend", "colleague",
            "manager", "boss", "neighbour", "neighbor", "fiancé", "fiance", "fiancée", "child",
            "kid", "landlord", "landlady", "carer", "caregiver", "flatmate", "roommate",
            "assistant", "doctor", "tenant", "stepson", "stepdaughter",
        )
    ),
    "ask for", "speak to", "speak with", "talk to", "talk with", "transfer me to",
    "put me through to", "transferring you to", "transfer you to", "passing you to",
    "on behalf of", "signed for by", "addressed to", "made out to", "me and",
    "connecting you to", "connect you to", "connecting you with",
)  # fmt: skip


def _trie(words: tuple[str, ...]) -> str:
    return "(?:" + literal_trie_pattern(words) + ")"


_STRONG_CUE = re.compile(_trie(_STRONG_WORDS) + r"\s*[:,-]?\s+")
_WEAK_CUE = re.compile(_trie(_WEAK_WORDS) + r"\s+")
_TITLE = re.compile(_trie(_TITLE_WORDS) + r"\.?[ \t]+(?=[^\W\d_])")
_ADDRESSING = re.compile(
    _trie(_ADDRESSING_WORDS) + r"[ \t]*[,!]?[ \t]+"
    rf"(?P<name>{_WORD})(?=[ \t]*(?:[,.!?;]|$))",
    re.MULTILINE,
)
_RELATION_CUE = re.compile(_trie(_RELATION_WORDS) + r"[ \t,:-]+")
_SELF_INTRO = re.compile(_trie(_SELF_WORDS) + rf"\s+(?P<name>{_TOKEN})")
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "strong": _STRONG_WORDS,
    "weak": _WEAK_WORDS,
    "title": _TITLE_WORDS,
    "addressing": _ADDRESSING_WORDS,
    "self": _SELF_WORDS,
    "relation": _RELATION_WORDS,
}
_ANY_CUE = word_cue_pattern(w for words in _KIND_WORDS.values() for w in words)
_FILLER = re.compile(
    r"(?:(?:sure|yes|yeah|yep|ok|okay|of course|hi|hello|hey|um|uh|uhm|well|so|absolutely|"
    r"certainly|no problem|it's|it’s|it is|this is|that's|that is|i'm|i am|my name is|"
    r"my full name is|name's|the name is|its|sure thing|yes it's|that would be|that'd be|"
    r"thatd be)\b[\s,.!:;-]*)+"
)


@lru_cache(maxsize=512)
def _kinds(literal: str) -> frozenset[str]:
    """Cue kinds of a scanned literal: those of every cue word it starts with, since the
    one-pass scan keeps only the longest cue at a position ("it's me" hides "it's")."""
    return frozenset(
        kind for kind, words in _KIND_WORDS.items() if any(literal.startswith(w) for w in words)
    )


def _cue_hits(doc: Doc) -> dict[str, list[int]]:
    """Start offsets of cue words by kind, from one scan of the whole transcript."""
    hits: dict[str, list[int]] = {kind: [] for kind in _KIND_WORDS}
    for pos, literal in word_cues(doc.spaced, _ANY_CUE):
        for kind in _kinds(literal):
            hits[kind].append(pos)
    return hits


_NONSPACE = re.compile(r"\S+")
_HERE = re.compile(
    rf"(?:(?:hi|hello|hey)[ \t,!]+)?(?P<name>{_TOKEN}(?:[ \t]+{_TOKEN})?)[ \t]+here\b"
)
_GLUE = frozenset("_@.'’-")
_INITIAL = re.compile(r"^[^\W\d_]\.?$")


def _norm(token: str) -> str:
    return token.lower().rstrip(".").replace("’", "'")


def _plain(word: str) -> str:
    """*word* without accents, for list look-ups ("josé" -> "jose")."""
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _capitalised_name(token: str) -> bool:
    """ "April", "Will": a given name that is also a common word, written as a name."""
    return token[:1].isupper() and token[1:2].islower() and _norm(token) in FIRST_NAMES


_CONTRACTIONS = frozenset(
    "that's thats it's its i'm im he's she's there's what's you're we're i'll".split()
)


def _name_tokens(
    text: str, start: int, end: int, lenient: bool = False, particle_first: bool = False
) -> tuple[int, int] | None:
    """The longest run of name-like tokens starting at *start*, as offsets, or None."""
    m = _NAME_RUN.match(text, start, end)
    if not m:
        return None
    tokens = [(t.start(), t.end()) for t in _NONSPACE.finditer(m.group())]
    kept: list[tuple[int, int]] = []
    for a, b in tokens:
        raw = m.group()[a:b]
        word = _norm(raw)
        as_name = _capitalised_name(raw) or (lenient and _plain(word) in FIRST_NAMES)
        leading = not kept and word in NAME_PARTICLES and not particle_first
        if (word in COMMON_WORDS and not as_name and word not in NAME_PARTICLES) or leading:
            break
        if word.replace("’", "'") in _CONTRACTIONS:
            break  # "kowal that's k o w a l"
        kept.append((a, b))
        if len(kept) == 4:
            break
    while kept and _norm(m.group()[kept[-1][0] : kept[-1][1]]) in NAME_PARTICLES:
        kept.pop()
    if not kept:
        return None
    s, e = m.start() + kept[0][0], m.start() + kept[-1][1]
    if text[e - 1] == "." and not _INITIAL.match(text[s:e].split()[-1]):
        e -= 1  # sentence full stop, not an initial
    return s, e


def _looks_like_name(value: str, lowercase_text: bool, known_only: bool) -> bool:
    words = value.split()
    first = _norm(words[0])
    if (first in COMMON_WORDS and not _capitalised_name(words[0])) or _INITIAL.match(words[0]):
        return False
    known = _plain(first) in FIRST_NAMES or any(_plain(_norm(w)) in SURNAMES for w in words)
    if known_only or lowercase_text:
        return known
    return all(w[0].isupper() for w in words if _norm(w) not in NAME_PARTICLES) or known


def _cue_names(doc: Doc, hits: dict[str, list[int]]) -> dict[int, list[tuple[int, int]]]:
    """Names after an introduction cue, by customer turn start."""
    text, low = doc.text, doc.low
    found: dict[int, list[tuple[int, int]]] = {}
    for cue_rx, strong in ((_STRONG_CUE, True), (_WEAK_CUE, False)):
        for pos in hits["strong" if strong else "weak"]:
            turn = doc.turn_at(pos)
            m = cue_rx.match(low, pos)
            if not m or turn.is_agent or pos < turn.body:
                continue
            got = _name_tokens(text, m.end(), turn.end)
            if not got:
                continue
            lowercase = text[turn.body : turn.end] == low[turn.body : turn.end]
            if strong or _looks_like_name(text[got[0] : got[1]], lowercase, False):
                found.setdefault(turn.start, []).append(got)
    for turn in doc.turns:
        if turn.is_agent or low.find(" here", turn.body, turn.end) < 0:
            continue
        here = _HERE.match(low, turn.body, turn.end)
        got = _name_tokens(text, here.start("name"), here.end("name")) if here else None
        lowercase = text[turn.body : turn.end] == low[turn.body : turn.end]
        if got and _looks_like_name(text[got[0] : got[1]], lowercase, False):
            found.setdefault(turn.start, []).append(got)
    return found


def _answer_name(doc: Doc, turn: Turn) -> tuple[int, int] | None:
    """The name in a short reply to a name question, after fillers like "sure, it's"."""
    text = doc.text
    filler = _FILLER.match(doc.low, turn.body, turn.end)
    start = filler.end() if filler else turn.body
    got = _name_tokens(text, start, turn.end, lenient=True)
    if got and len(text[got[0] : got[1]].split()) <= 4:
        rest = text[got[1] : turn.end].strip(" \t.,!")
        if len(rest.split()) <= 3:
            return got
    return None


def _bot_names(doc: Doc, hits: dict[str, list[int]]) -> set[str]:
    """Names agents give themselves ("I'm Nova")."""
    names: set[str] = set()
    for pos in hits["self"]:
        turn = doc.turn_at(pos)
        if turn.is_agent and pos >= turn.body:
            m = _SELF_INTRO.match(doc.low, pos, turn.end)
            if m:
                names.add(_norm(m.group("name")))
    return names


def _mentions(low: str, token: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = low.find(token)
    while i >= 0:
        j = i + len(token)
        before = low[i - 1] if i else " "
        after = low[j] if j < len(low) else " "
        if not (before.isalnum() or before in _GLUE) and not (after.isalnum() or after in _GLUE):
            out.append((i, j))
        i = low.find(token, j)
    return out


def _propagate(low: str, known: set[str]) -> list[Span]:
    """Every mention of a known name token; adjacent tokens form one span.

    Plain substring search over the lower-cased text: compiling a regex per transcript
    would cost more than the whole detection.
    """
    hits = sorted(h for token in known for h in _mentions(low, token))
    merged: list[list[int]] = []
    for s, e in hits:
        if merged and s <= merged[-1][1] + 1 and low[merged[-1][1] : s].strip(" \t") == "":
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [Span(s, e, "PERSON", 0.9) for s, e in merged]


def _tokens_of(value: str) -> set[str]:
    return {w for w in (_norm(t) for t in value.split()) if len(w) > 1 and w not in NAME_PARTICLES}


def _titled_names(doc: Doc, hits: dict[str, list[int]]) -> list[tuple[int, int]]:
    """ "Mr. Alvarez", "dr chen": a courtesy title followed by a plausible name."""
    text, low = doc.text, doc.low
    out: list[tuple[int, int]] = []
    for pos in hits["title"]:
        m = _TITLE.match(low, pos)
        if not m:
            continue
        got = _name_tokens(text, m.end(), doc.turn_at(pos).end, particle_first=True)
        if got and _looks_like_name(text[got[0] : got[1]], text[pos].islower(), False):
            out.append(got)
    return out


def _unknown_capitalised(word: str) -> bool:
    """ "Harnail": capitalised and no English word at all."""
    return word[:1].isupper() and lexicon_flags(_plain(_norm(word)))[2] == "0"


def _everyday(word: str) -> bool:
    """ "Refund", "DOB": an everyday English word or a field's abbreviation, not first a
    given name or surname anywhere."""
    low = _norm(word)
    if low in _FIELD_WORDS:
        return True
    flags = lexicon_flags(_plain(low))
    if "-" in low and flags == "000":
        flags = lexicon_flags(_plain(low.replace("-", "")))  # "Wi-Fi", "E-mail"
    if flags[2] >= "1" and flags[0] == "0" and flags[1] <= "1":
        return True  # English, and at most a rare surname ("deliveries")
    return flags[2] >= "2" and flags[0] < "3" and flags[1] < "3"


_FIELD_WORDS = frozenset(
    "dob ssn id acct pin otp ref zip pnr mrn imei rma sms atm vpn dns ip url eta asap fyi "
    "usd eur gbp aud cad inr".split()
)


def _given_name(word: str, text: str) -> bool:
    """A given name in the lists, or in the lexicon's given names of any country and not
    an everyday English word, written as a name (capitalised, unless the text has no
    capitals): "Done, Nobantu." addresses someone."""
    if _plain(_norm(word)) in FIRST_NAMES:
        return True
    if not (word[:1].isupper() or text.islower()):
        return False
    flags = lexicon_flags(_plain(_norm(word)))
    return flags[0] >= "1" and flags[2] < "2"


def _lexicon_word(word: str) -> bool:
    """A given name or surname somewhere that is not first an everyday English word."""
    flags = lexicon_flags(_plain(_norm(word)))
    if flags[2] >= "2" and flags[0] < "3":
        return False  # "Support", "Visa", "wants": everyday words first
    return max(flags[0], flags[1]) >= "1"


def _lexicon_prefix(text: str, start: int, end: int, lowercase_text: bool) -> int:
    """End of the longest run of name words from *start* (capitalised where text has capitals)."""
    stop = start
    for m in _NONSPACE.finditer(text, start, end):
        word = m.group().rstrip(".,!?;:")
        if _norm(word) in NAME_PARTICLES:
            continue
        if (not lowercase_text and not word[:1].isupper()) or not _lexicon_word(word):
            break
        stop = m.start() + len(word)
    return stop


def _related_names(doc: Doc, hits: dict[str, list[int]]) -> list[tuple[int, int]]:
    """ "my son Blessing Chukwu", "ask for Sandra Okafor": people named by others."""
    text, low = doc.text, doc.low
    out: list[tuple[int, int]] = []
    for pos in hits["relation"]:
        m = _RELATION_CUE.match(low, pos)
        if not m:
            continue
        turn = doc.turn_at(pos)
        got = _name_tokens(text, m.end(), turn.end, particle_first=True)
        if not got:
            continue
        lowercase = text[turn.body : turn.end] == low[turn.body : turn.end]
        stop = _lexicon_prefix(text, got[0], got[1], lowercase)
        if stop > got[0]:
            out.append((got[0], stop))
    return out


# A surname or given name spelled letter by letter ("that's e z e", "spelled k-o-w-a-l").
_SPELLED = re.compile(r"(?<![\w'’])[a-z](?:[ -][a-z]){2,}(?![\w'’])")
_SPELL_CUE = re.compile(r"\b(?:that's|thats|that is|spelled|spelt|spelling|as in)\W*$")
_DIGIT_WORD = re.compile(
    r"[ ,.]*(?:\d|zero|oh|one|two|three|four|five|six|seven|eight|nine|double)\b"
)


def _spelled_names(doc: Doc) -> list[tuple[int, int]]:
    """Letters spelled one by one in a customer's reply to a name question, or right after
    "that's" or "spelled": a name spelled out.  Not letters that begin a spoken
    identifier ("m b r six double oh ...")."""
    low = doc.low
    out: list[tuple[int, int]] = []
    for turn in doc.turns:
        if turn.is_agent:
            continue
        for m in _SPELLED.finditer(low, turn.body, turn.end):
            if _DIGIT_WORD.match(low, m.end()):
                continue
            before = low[max(turn.body, m.start() - 16) : m.start()]
            if turn.topic == "PERSON" or _SPELL_CUE.search(before):
                out.append(m.span())
    return out


# A text signed at its end: "... call me on 0412 555 901 - Ariana", "thanks! ~ Tomás Ruiz".
# The patterns open with one marker character, so that ``sre`` skips to it in C (a pattern
# that opens with a repeat, "[-~]+", has no such prefix and is tried at every position);
# whether it starts a line or follows a space or a sentence's end is checked after
# (`_line_end`).
_SIGNATURE = re.compile(
    rf"[-–—~][-–—~]*+[ \t]*(?P<name>{_SIGNED_WORD}(?:[ \t]+{_SIGNED_WORD})?)[ \t.!]*$",
    re.MULTILINE,
)


def _line_end(
    rx: re.Pattern[str], text: str, lo: int, hi: int, marker: bool = True
) -> re.Match[str] | None:
    """The first match of *rx* in text[lo:hi] that opens a word: at the start of the text
    or after a space, ".", "!" or "?".

    After a match that does not, the next search starts at its name when *rx* opens with a
    run of markers: a match starting inside the run follows a marker and fails the same
    way, and searching from each character of a long run ("x-----...Bob") took time in
    the square of its length."""
    m = rx.search(text, lo, hi)
    while m is not None:
        i = m.start()
        if i == 0 or text[i - 1].isspace() or text[i - 1] in ".!?":
            return m
        m = rx.search(text, m.start("name") if marker else i + 1, hi)
    return None


def _agent_signatures(doc: Doc) -> set[str]:
    """Names agents sign their replies with ("... within 2 days. -Corinna", "^JM"): the
    answering agent's own name, like the one in its label.  `find_names` keeps any name the
    rules found in a customer's own words ("I'm Jane Doe" ... "Sorry about that - Jane.")."""
    out: set[str] = set()
    for turn in doc.turns:
        if turn.is_agent and turn.end > turn.body:
            m = _line_end(_AGENT_SIGNATURE, doc.text, turn.body, turn.end)
            if m:
                out |= {_norm(w) for w in m.group("name").split()}
    return out


# "^JM", "/Tom", "-Corinna", "— Tom." closing an agent's line; not "... — Jane!", which
# calls out to the customer.
_AGENT_SIGNATURE = re.compile(
    rf"[-–—~^/][-–—~^/]*+[ \t]*(?P<name>{_SIGNED_WORD}(?:[ \t]+{_SIGNED_WORD})?)[ \t.]*$",
    re.MULTILINE,
)


# "... on its way? Thanks, Ngozi Adeyemi": a sign-off with a whole name ending a customer's
# text (one word alone, "thanks, Maria", more often thanks the agent).
# (Searched in the lower-cased text, which has the same offsets.)
_THANKS_SIGNATURE = re.compile(
    r"(?:thanks|thank you|many thanks|cheers|regards|best|br)[ \t]*[,!.-]+"
    rf"[ \t]*(?P<name>{_SIGNED_WORD}[ \t]+{_SIGNED_WORD})[ \t.!]*$",
    re.MULTILINE,
)


def _signatures(doc: Doc) -> list[tuple[int, int]]:
    text, low = doc.text, doc.low
    out: list[tuple[int, int]] = []
    for turn in doc.turns:
        if turn.is_agent:
            continue
        for rx, searched, marker in ((_SIGNATURE, text, True), (_THANKS_SIGNATURE, low, False)):
            m = _line_end(rx, searched, turn.body, turn.end, marker)
            if m is None:
                continue
            s, e = m.span("name")
            if all(_lexicon_word(w) or _unknown_capitalised(w) for w in text[s:e].split()):
                out.append((s, e))
                break
    return out


# "From: Rainer Kallio <r@x.io>", "To: ...": a mail header's name before its address.
_HEADER_NAME = re.compile(
    rf"^(?:from|to|cc|reply-to)[ \t]*:[ \t]*(?P<name>{_WORD}(?:[ \t]+{_TOKEN}){{0,3}})[ \t]*<",
    re.MULTILINE | re.IGNORECASE,
)
# "Regards,\nJudith Suarez": a closing on its own line, the name on the next.
_CLOSING_NAME = re.compile(
    r"^[ \t]*(?:regards|kind regards|best regards|warm regards|best|cheers|thanks|"
    r"thank you|many thanks|sincerely|yours sincerely|yours|all the best|br)[ \t]*[,!.]?"
    rf"[ \t]*\n[ \t]*(?P<name>{_WORD}(?:[ \t]+{_TOKEN}){{0,3}})[ \t.]*$",
    re.MULTILINE | re.IGNORECASE,
)


def _mail_names(doc: Doc) -> list[tuple[int, int]]:
    """Names in a pasted e-mail: its From/To header and the line after its closing."""
    text = doc.text
    out: list[tuple[int, int]] = []
    if "<" in text:
        out += [m.span("name") for m in _HEADER_NAME.finditer(text)]
    if any(w in doc.low for w in ("regards", "sincerely", "yours")) or ",\n" in text:
        for m in _CLOSING_NAME.finditer(text):
            name = m.group("name")
            if _norm(name.split()[0]) not in COMMON_WORDS or _given_name(name.split()[0], text):
                out.append(m.span("name"))
    return out


def _agent_labels(doc: Doc) -> tuple[set[str], list[tuple[int, int]]]:
    """Name words in agents' speaker labels ("Éric (Support):") and the labels' offsets:
    the answering agent's own name, not the customer's personal data; and the offsets of
    labels that name only a role ("Kunde:", "Customer:")."""
    words: set[str] = set()
    labels: list[tuple[int, int]] = []
    text = doc.text
    for turn in doc.turns:
        if turn.body > turn.start:
            role_only, named = _label_words(text[turn.start : turn.body], turn.is_agent)
            if turn.is_agent or role_only:
                labels.append((turn.start, turn.body))
            words |= named
    return words, labels


@lru_cache(maxsize=1024)
def _label_words(label: str, is_agent: bool) -> tuple[bool, frozenset[str]]:
    """(whether the label names only a role, the name words of an agent's label); cached
    by label, since a transcript repeats its few labels on every line."""
    said = _LABEL_WORD.findall(label)
    role_only = bool(said) and all(w.lower() in ROLE_WORDS for w in said)
    if not is_agent:
        return role_only, frozenset()
    named = frozenset(_norm(w) for w in said if w[:1].isupper()) - COMMON_WORDS
    return role_only, named


_LABEL_WORD = re.compile(_WORD)


def _without_everyday_words(text: str, spans: list[Span]) -> list[Span]:
    """The model's spans minus words that are everyday English or field names ("Done,
    Leon. Refund of ...": the word after a name is not part of it)."""
    out: list[Span] = []
    for span in spans:
        start = last = -1
        for m in _NONSPACE.finditer(text, span.start, span.end):
            if _everyday(m.group().strip(".,")):
                if start >= 0:
                    out.append(Span(start, last, span.label, span.score))
                start = -1
                continue
            if start < 0:
                start = m.start()
            last = m.end()
        if start >= 0:
            out.append(Span(start, last, span.label, span.score))
    return out


# Words that make the name before them a business, a place or a form's field: "Contoso
# Telecom: your order has shipped", "our Howardburgh store", "Topic: complaint".
_ORGANISATION_AFTER_RX = re.compile(
    r"[ \t]+(?:bank|telecom|telco|energy|power|electric|gas|water|utilities|mobile|wireless|"
    r"broadband|cable|insurance|assurance|airlines?|airways|air|rail|railways?|bus|travel|"
    r"tours|hotels?|motors|auto|pharmacy|chemist|clinic|dental|medical|health|healthcare|"
    r"hospital|credit union|finance|financial|capital|lending|loans|savings|group|holdings|"
    r"ltd|limited|inc|llc|plc|gmbh|corp|corporation|company|co|services|solutions|systems|"
    r"logistics|express|couriers?|post|store|stores|shop|branch|office|outlet|mall|"
    r"superstore|supermarket|market|gym|fitness|university|college|school|library|council)"
    r"\b(?![ \t]+(?:is|was|said|says|asked|told|needs|wants|called|will|from|of)\b)"
)
# A code, not a name, follows these ("reference RCHHWG", "booking code QXTRLP").
_CODE_BEFORE_RX = re.compile(
    r"\b(?:reference|ref|code|case|ticket|booking|confirmation|pnr|locator|voucher|promo|"
    r"coupon|sku|model|serial)(?: (?:no|number|id|code))?[ \t:#.-]*$"
)
_TITLE_START_RX = re.compile(r"(?:mr|mrs|ms|miss|mx|dr|sir|madam|dame|prof)\b\.?[ \t]*")
# A word naming a field ("Custmer number:", "membr ID"), misspelt or not, is no name.
_FIELD_AFTER_RX = re.compile(r"[ \t]+(?:number|no\.|no|num|id|#)(?:[ \t]*[:#]|[ \t]+\d)")
_FIELD_LABELS = frozenset(
    "topic subject message reason category details description notes comments summary "
    "query enquiry inquiry request issue problem priority status type product department "
    "channel source language country region".split()
)


def _not_organisations(low: str, spans: list[Span]) -> list[Span]:
    """The model's spans minus businesses, places and form fields (see above), and minus a
    courtesy title at their start ("Mrs Wei": the title is no part of the name)."""
    out: list[Span] = []
    for span in spans:
        title = _TITLE_START_RX.match(low, span.start, span.end)
        if title:
            if title.end() >= span.end:
                continue
            span = Span(title.end(), span.end, span.label, span.score)
        if _FIELD_AFTER_RX.match(low, span.end):
            continue
        if _ORGANISATION_AFTER_RX.match(low, span.end) or _ID_PREFIX_RX.match(low, span.end):
            continue
        if _CODE_BEFORE_RX.search(low, max(0, span.start - 24), span.start):
            continue
        if low[span.end : span.end + 1] == ":" and low[span.start : span.end] in _FIELD_LABELS:
            continue
        out.append(span)
    return out


def _customers_words(doc: Doc, found: list[tuple[int, int]]) -> set[str]:
    """The words of the names in *found* that stand in customers' turns."""
    return {
        _norm(w) for s, e in found if not doc.turn_at(s).is_agent for w in doc.text[s:e].split()
    }


# A word glued to digits ("it's ORD-81960444") is an identifier's prefix, not a name.
_ID_PREFIX_RX = re.compile(r"[-/]?\d")


def find_names(doc: Doc) -> list[Span]:
    text, low = doc.text, doc.low
    spans: list[Span] = []
    hits = _cue_hits(doc)
    agents, labels = _agent_labels(doc)
    bots = _bot_names(doc, hits) | agents
    known: set[str] = set()
    cued = _cue_names(doc, hits)
    found = [g for spans_ in cued.values() for g in spans_]
    for turn in doc.turns:
        if turn.topic == "PERSON" and not turn.is_agent and turn.start not in cued:
            got = _answer_name(doc, turn)
            if got:
                found.append(got)
    found += _spelled_names(doc) + _signatures(doc) + _mail_names(doc)
    signed = _agent_signatures(doc)
    if signed:
        bots |= signed - _customers_words(doc, found)
    for s, e in found + _titled_names(doc, hits) + _related_names(doc, hits):
        if _norm(text[s:e].split()[0]) in bots or _ID_PREFIX_RX.match(low, e):
            continue
        spans.append(Span(s, e, "PERSON"))
        known |= _tokens_of(text[s:e])
    for pos in hits["addressing"]:
        m = _ADDRESSING.match(low, pos)
        if not m:
            continue
        word = _norm(m.group("name"))
        if word in bots:
            continue
        if word in known or (word not in COMMON_WORDS and _given_name(m.group("name"), text)):
            spans.append(Span(m.start("name"), m.end("name"), "PERSON"))
            known.add(word)
    for span in _not_organisations(low, _without_everyday_words(text, find_learned_names(doc))):
        words = {_norm(w) for w in text[span.start : span.end].split()}
        if not words & bots:
            spans.append(span)
            known |= {w for w in words if len(w) > 2 and w not in NAME_PARTICLES}
    spans += _not_organisations(low, _propagate(low, known - COMMON_WORDS - bots))
    if labels:
        ends = dict(labels)  # a label's start -> its end (the turn's body)
        spans = [
            sp
            for sp in spans
            if not (sp.start < (turn := doc.turn_at(sp.start)).body and turn.start in ends)
        ]
    return spans
