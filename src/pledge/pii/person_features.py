"""What the learned PERSON model sees of each word: one function for training and detection.

Rules find names after cues ("my name is ..."); a name with no cue ("sure, Oluwaseun
Adeyemi", "transfer me to Sandra Okafor", "- Priya" at the end of a text) is recognisable
only from what its words are (in a name list of some country, rare in English, capitalised
where the text has capitals) and from the words around them.  Each word is described by a
fixed list of *templates*; a feature is a template's value at that word.  Training
(``training/pii/train_person.py``) and detection (`pledge.pii.person_model`) both call
`word_values` / `context_values`, so what the model was trained on is exactly what it sees.

Word identities are used only for common English words and the words *around* a candidate:
a name's own spelling is never a feature, so the model cannot memorise the names it was
trained on and must generalise from lexicon buckets, shape and context.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from pledge.pii.context import Doc
from pledge.pii.person_lexicon import lexicon_flags, plain_english_words

__all__ = [
    "CONTEXT_TEMPLATES",
    "PLACES",
    "WORD_TEMPLATES",
    "Token",
    "TurnFacts",
    "context_values",
    "is_candidate",
    "may_hold_names",
    "not_candidates",
    "shape_of",
    "surroundings",
    "tokens_of",
    "turn_facts",
    "turn_tokens",
    "word_values",
]

# One letter, then the rest ("[a-z][a-z]*", not "[a-z]+"): a pattern that opens with a
# character class lets ``sre`` skip the spaces and marks between words in C.
_TOKEN_RX = re.compile(r"[^\W\d_][^\W\d_]*(?:['’][^\W\d_]+|-[^\W\d_]+)*")
# The same words in ASCII text, where a letter is [A-Za-z]: no Unicode category look-up per
# character (most transcripts are ASCII).
_ASCII_TOKEN_RX = re.compile(r"[A-Za-z][A-Za-z]*(?:'[A-Za-z]+|-[A-Za-z]+)*")
_PARTICLES = frozenset(
    "van von der den de del della di da dos das du la le bin binti bint ibn al el ben ter "
    "mac st".split()
)
# Function words are never names; they are skipped (tagged "not a name") without scoring.
_FUNCTION = frozenset(
    """a an the and or but nor so yet if then than that this these those there here what
    which who whom whose when where why how is am are was were be been being do does did
    done have has had having i me my mine we us our you your yours he him his she her hers
    it its they them their to of in on at by for from with about into over under up down
    out off as not no yes can could would should shall will may might must just also very
    too all any some each every both either neither one two three four five six seven
    eight nine ten oh ok okay um uh hi hello hey thanks thank please sorry sure yeah yep
    got get let lets i'm i've i'll i'd it's that's what's there's you're we're they're
    don't can't won't didn't doesn't isn't wasn't number email address phone account
    order card date birth street road""".split()
)


class Token(NamedTuple):
    """A word of the transcript: offsets, its lower-case form, and where it sits."""

    start: int
    end: int
    low: str
    turn: int  # index into Doc.turns
    first: bool  # first word of a sentence (turn start or after . ! ?)
    place: int  # position in its turn


_new_tuple = tuple.__new__  # a Token without NamedTuple's Python-level __new__


def turn_tokens(doc: Doc, index: int) -> list[Token]:
    """The words of one turn, with whether each starts a sentence.

    The loop body is kept small since it runs for every word of every transcript: in an
    ASCII transcript every match is letters, so only others are checked.
    """
    text, low = doc.text, doc.low
    start, body, end = doc.turns[index][:3]
    out: list[Token] = []
    pos = body
    n = 0
    check = not text.isascii()
    for m in (_TOKEN_RX if check else _ASCII_TOKEN_RX).finditer(text, start, end):
        s, e = m.span()
        if check:
            word = m.group()
            if not word.isalpha() and not _letters(word):
                continue  # "¼": a \w character that is no letter
        if pos <= body or s == body:
            first = True
        else:
            gap = text[pos:s]  # most often one space: no sentence ends there
            first = gap != " " and ("." in gap or "?" in gap or "!" in gap)
        out.append(_new_tuple(Token, (s, e, low[s:e], index, first, n)))
        pos = e
        n += 1
    return out


def tokens_of(doc: Doc) -> list[Token]:
    """Every word of the transcript (`turn_tokens` of each turn)."""
    return [tok for index in range(len(doc.turns)) for tok in turn_tokens(doc, index)]


def _letters(word: str) -> bool:
    return word.replace("'", "").replace("’", "").replace("-", "").isalpha()


def is_candidate(token: Token, text: str) -> bool:
    """Words worth scoring.

    Not a function word; a lone letter only as an initial ("K."); and not a word that is
    common English while no country's name lists hold it ("deliveries", "camera"): such
    words are not names, and skipping them keeps scoring to about a third of the words.
    """
    low = token.low
    if len(low) == 1:
        return text[token.start].isupper() and text[token.end : token.end + 1] == "."
    return _candidate_word(low)


def _candidate_word(low: str) -> bool:
    return low not in not_candidates()


_NOT_CANDIDATES: set[str] = set()


def not_candidates() -> set[str]:
    """Words of two letters or more never scored: function words, and English words in no
    country's name lists.  One set, so that a turn is checked with one C-level call."""
    if not _NOT_CANDIDATES:
        _NOT_CANDIDATES.update(plain_english_words(), _FUNCTION)
        _NOT_CANDIDATES.difference_update([w for w in _NOT_CANDIDATES if len(w) < 2])
    return _NOT_CANDIDATES


def may_hold_names(doc: Doc, index: int) -> bool:
    """Whether any word of the turn is worth scoring (most turns of agents' scripts are not);
    a cheap look at the words alone, before `turn_tokens` builds anything.  A lone letter
    counts (it may be an initial)."""
    turn = doc.turns[index]
    line = doc.low[turn.start : turn.end]
    if "’" in line:
        line = line.replace("’", "'")
    return not (_NOT_CANDIDATES or not_candidates()).issuperset(_TOKEN_RX.findall(line))


@lru_cache(maxsize=65536)
def _shape(word: str) -> str:
    if len(word) == 1:
        return "I"
    if word.islower():
        return "x"
    if word.isupper():
        return "X"
    if word[0].isupper() and word[1:].islower():
        return "Xx"
    if word[0].isupper():
        return "XxX"  # McDonald, O'Neill, Al-Hassan
    return "xX"


WORD_TEMPLATES: tuple[str, ...] = (
    "bias",
    "lex",  # first-name, surname and English-frequency buckets together
    "first",
    "last",
    "english",
    "shape",
    "shape_lex",
    "suffix3",
    "suffix2",
    "length",
    "common_word",  # the word itself, only when it is common English
    "particle",
    "accent",
)


def word_values(word: str) -> tuple[str, ...]:
    """The word's own features, in `WORD_TEMPLATES` order (cacheable by the word)."""
    low = word.lower().replace("’", "'")
    flags = lexicon_flags(low)
    shape = _shape(word)
    length = len(low)
    return (
        "1",
        flags,
        flags[0],
        flags[1],
        flags[2],
        shape,
        shape + flags,
        low[-3:] if length > 3 else "",
        low[-2:] if length > 2 else "",
        "1"
        if length == 1
        else "2"
        if length == 2
        else "4"
        if length <= 4
        else "7"
        if length <= 7
        else "8",
        low if flags[2] >= "2" else "",
        "1" if low in _PARTICLES else "",
        "" if low.isascii() else "1",
    )


CONTEXT_TEMPLATES: tuple[str, ...] = (
    "prev1",
    "prev2",
    "next1",
    "next2",
    "prev_bigram",
    "punct_before",
    "punct_after",
    "first_shape",
    "first_lex",
    "lower_turn_lex",
    "role",
    "role_prev1",
    "topic",
    "position",
    "turn_length",
    "prev_class",
    "next_class",
    "prev_tag",
    "prev_tag_shape",
    "speaker_label",
)

_EDGES = frozenset(("|", "<s>", "</s>"))  # turn edge, sentence start, sentence end
_PUNCT = frozenset(",.:;!?()-—'\"")


@lru_cache(maxsize=65536)
def _class(word: str) -> str:
    """A neighbour in brief: shape and whether it is a known given name or surname."""
    flags = lexicon_flags(word.lower().replace("’", "'"))
    return _shape(word) + ("f" if flags[0] >= "2" else "") + ("l" if flags[1] >= "2" else "")


class TurnFacts(NamedTuple):
    """What the context features need of a turn, worked out once per turn."""

    role: str  # "A" agent, "C" customer
    topic: str  # "A" + what the agent asked for, or "C"
    words: str  # bucket of the turn's word count
    lower: bool  # the turn has no capital letter
    body: int


def turn_facts(doc: Doc, index: int, words: int) -> TurnFacts:
    """`TurnFacts` of turn *index*, which has *words* words."""
    turn = doc.turns[index]
    role = "A" if turn.is_agent else "C"
    size = "1" if words <= 1 else "3" if words <= 3 else "6" if words <= 6 else "9"
    lower = doc.text[turn.body : turn.end] == doc.low[turn.body : turn.end]
    return TurnFacts(role, role + (turn.topic or ""), size, lower, turn.body)


_PLACES = ("0", "1", "2", "3")
# For `pledge.pii.person_model`'s inlined scorer, which must see exactly what these see.
PLACES = _PLACES
shape_of = _shape


def surroundings(
    text: str, tokens: list[Token], i: int
) -> tuple[str, str, str, str, str, str, str, str]:
    """What stands around word *i*: the words before and after it (p1, p2, n1, n2), the
    classes of the nearest two (prev_class, next_class) and the punctuation either side.
    Shared by `context_values` (training) and the model's scorer (detection), so that both
    see the same.  Punctuation is the nearest non-space character within the line ("|" at
    its edge, "d" a digit, "a" any other character that is no punctuation mark)."""
    start, end, _, turn, first, _ = tokens[i]
    last = len(tokens) - 1
    # Neighbours stop at the turn ("|") and at the sentence: "Got it. Deliveries will ..."
    # says nothing of "Deliveries", while "got it, Maria" does.
    if first:
        p1 = p2 = prev_class = "<s>"
    else:
        before = tokens[i - 1]
        p1 = before[2]
        prev_class = _class(text[before[0] : before[1]])
        p2 = "<s>" if before[4] else tokens[i - 2][2]
    if i == last or (after := tokens[i + 1])[3] != turn:
        n1 = n2 = next_class = "|"
    elif after[4]:
        n1 = n2 = next_class = "</s>"
    else:
        n1 = after[2]
        next_class = _class(text[after[0] : after[1]])
        if i + 1 == last or (then := tokens[i + 2])[3] != turn:
            n2 = "|"
        else:
            n2 = "</s>" if then[4] else then[2]
    size = len(text)
    j = start - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 0 or (c := text[j]) == "\n":
        before_punct = "|"
    else:
        before_punct = c if c in _PUNCT else "d" if c.isdigit() else "a"
    j = end
    while j < size and text[j] in " \t":
        j += 1
    if j >= size or (c := text[j]) == "\n":
        after_punct = "|"
    else:
        after_punct = c if c in _PUNCT else "d" if c.isdigit() else "a"
    return p1, p2, n1, n2, prev_class, next_class, before_punct, after_punct


def context_values(
    doc: Doc, tokens: list[Token], i: int, prev_tag: str, facts: TurnFacts
) -> tuple[str, ...]:
    """The word's context features, in `CONTEXT_TEMPLATES` order.

    ``prev_tag`` is the decision for the word before ("N" name, "O" other): names run over
    several words.  ``facts`` describe the word's turn.
    """
    start, end, low, _, first, place = tokens[i]
    text = doc.text
    p1, p2, n1, n2, prev_class, next_class, before_punct, after_punct = surroundings(
        text, tokens, i
    )
    shape = _shape(text[start:end])
    flags = lexicon_flags(low)
    return (
        p1,
        p2,
        n1,
        n2,
        p2 + " " + p1,
        before_punct,
        after_punct,
        shape if first else "",
        flags if first else "",
        flags if facts.lower else "",
        facts.role,
        facts.role + p1,
        facts.topic,
        _PLACES[place] if place < 4 else "4",
        facts.words,
        prev_class,
        next_class,
        prev_tag,
        prev_tag + shape,
        "1" if start < facts.body else "",
    )
