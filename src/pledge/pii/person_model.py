"""The learned PERSON model: an averaged perceptron over words, shipped as weights.

Trained by ``training/pii/train_person.py`` on generated transcripts (see
``training/pii/README.md``) and stored in ``model/person.json.gz``: one weight table per
feature template of `pledge.pii.person_features`.  A word is part of a name when its
score is above zero; the decision for the word before is itself a feature, so names of
several words are read left to right.  Scoring is a few dictionary look-ups per word: a
word's own part of the score depends only on its spelling and is cached.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from itertools import repeat
from typing import Any

from pledge.pii.context import Doc, replace_each
from pledge.pii.person_features import (
    CONTEXT_TEMPLATES,
    PLACES,
    WORD_TEMPLATES,
    Token,
    TurnFacts,
    is_candidate,
    may_hold_names,
    not_candidates,
    shape_of,
    surroundings,
    turn_facts,
    turn_tokens,
    word_values,
)
from pledge.pii.person_lexicon import lexicon_flags
from pledge.pii.spans import Span

__all__ = ["PersonModel", "find_learned_names", "load_model"]

_JOINERS = frozenset(" \t-")
_get = dict.get
_ZEROS = repeat(0.0)  # map() stops at the shortest: the feature values
_WORD_CACHE_LIMIT = 200_000
_TURN_CACHE_LIMIT = 100_000


class PersonModel:
    """Weights per template; `tag` says which words of a transcript are names."""

    def __init__(self, word: dict[str, dict[str, float]], context: dict[str, dict[str, float]]):
        self.word_tables = [word.get(name, {}) for name in WORD_TEMPLATES]
        self.context_tables = [context.get(name, {}) for name in CONTEXT_TEMPLATES]
        self._word_scores: dict[tuple[int, int], float] = {}
        self._turns: dict[tuple[int, int, int, bool, str | None], tuple[tuple[int, int], ...]] = {}
        # by role, topic, length bucket and lower case: a few dozen at most
        self._turn_weights: dict[tuple[str, str, str, bool], _TurnWeights] = {}

    def word_score(self, word: str) -> float:
        """The word's own part of the score, cached under its salted ``hash`` and length.

        Not under the word: the words scored are the transcripts' names, and the
        cache lives as long as the process.
        """
        key = (hash(word), len(word))
        score = self._word_scores.get(key)
        if score is None:
            values = word_values(word)
            score = sum(map(_get, self.word_tables, values, _ZEROS))
            if len(self._word_scores) < _WORD_CACHE_LIMIT:
                self._word_scores[key] = score
        return score

    def tag(self, doc: Doc, tokens: list[Token]) -> list[bool]:
        """For each token of one turn, whether it is (part of) a person's name.

        Only words worth scoring (`is_candidate`) are visited: a set look-up per word, in C,
        leaves out function words and plain English ones; a word's "tag before" is "N" only
        when the word before it was scored as a name.
        """
        if not tokens:
            return []
        text = doc.text
        facts = turn_facts(doc, tokens[0].turn, len(tokens))
        key = (facts.role, facts.topic, facts.words, facts.lower)
        turn = self._turn_weights.get(key)
        if turn is None:
            turn = self._turn_weights[key] = _TurnWeights(self.context_tables, facts)
        word_scores = self._word_scores
        skip = not_candidates()
        out = [False] * len(tokens)
        last = -2  # index of the latest word tagged as a name
        # A plain index loop and direct calls: compiled by mypyc, each is a C call.
        for i in range(len(tokens)):
            tok = tokens[i]
            low = tok[2]
            if low in skip:
                continue
            # a lone letter only as an initial (`is_candidate`)
            if len(low) == 1 and not is_candidate(tok, text):
                continue
            word = text[tok[0] : tok[1]]
            score = word_scores.get((hash(word), len(word)))
            if score is None:
                score = self.word_score(word)
            score += _context_score(doc, tokens, i, "N" if last == i - 1 else "O", facts, turn)
            if score > 0.0:
                out[i] = True
                last = i
        return out

    def turn_names(self, doc: Doc, index: int) -> tuple[tuple[int, int], ...]:
        """Name spans of one turn, as offsets from the turn's start (see `doc_names`)."""
        return self.doc_names(doc, (index,))[0]

    def doc_names(
        self, doc: Doc, indexes: Iterable[int] | None = None
    ) -> list[tuple[tuple[int, int], ...]]:
        """Name spans of each turn (all, or those of *indexes*), as offsets from its start.

        A turn is tagged from its own words, role and the agent's question only, so the
        answer is cached: agents' scripted lines and short replies ("no thanks, bye") recur
        across conversations.  The key is the line's salted ``hash`` with its length, not the
        line: the cache keeps no transcript text.  Digits are all made "0" first (once for
        the whole transcript): the model sees a digit only as "a digit beside the word", so
        "total $59.60" and "total $12.34" are tagged alike, and offsets do not move.  A turn
        with no word worth scoring is cached too (as no names).
        """
        turns = doc.turns
        shape = replace_each(doc.text, "123456789", "0")
        cache = self._turns
        # In ASCII text the words `may_hold_names` looks at are the tokens `tag` checks, so
        # a turn without one worth scoring is tagged as no names anyway: the look is saved.
        look_first = not doc.text.isascii()
        out: list[tuple[tuple[int, int], ...]] = []
        for index in range(len(turns)) if indexes is None else indexes:
            start, body, end, is_agent, topic = turns[index]
            key = (hash(shape[start:end]), end - start, body - start, is_agent, topic)
            found = cache.get(key)
            if found is None:
                if not look_first or may_hold_names(doc, index):
                    tokens = turn_tokens(doc, index)
                    runs = _runs(doc.text, tokens, self.tag(doc, tokens))
                    found = tuple((s - start, e - start) for s, e in runs)
                else:
                    found = ()
                if len(cache) < _TURN_CACHE_LIMIT:
                    cache[key] = found
            out.append(found)
        return out


class _TurnWeights:
    """The weights of a turn's context features that are the same for all its words (its
    role, topic and length), summed once, and the tables of the others.

    `_context_score` adds up exactly what ``sum`` over the tables and `context_values`
    gives (``tests/unit/pii/test_person_model.py`` compares them), with a third of the
    look-ups and no tuple of twenty strings per word.
    """

    __slots__ = (
        "bigram", "first_lex", "first_shape", "fixed", "lower_lex", "n1", "n2",
        "next_class", "p1", "p2", "place", "prev_class", "prev_tag", "prev_tag_shape",
        "punct_after", "punct_before", "role", "role_p1", "speaker",
    )  # fmt: skip

    def __init__(self, tables: list[dict[str, float]], facts: TurnFacts) -> None:
        t = dict(zip(CONTEXT_TEMPLATES, tables, strict=True))
        self.fixed: float = (
            t["role"].get(facts.role, 0.0)
            + t["topic"].get(facts.topic, 0.0)
            + t["turn_length"].get(facts.words, 0.0)
        )
        self.role: str = facts.role
        self.p1, self.p2, self.n1, self.n2 = t["prev1"], t["prev2"], t["next1"], t["next2"]
        self.bigram, self.role_p1 = t["prev_bigram"], t["role_prev1"]
        self.punct_before, self.punct_after = t["punct_before"], t["punct_after"]
        self.first_shape, self.first_lex = t["first_shape"], t["first_lex"]
        self.lower_lex: dict[str, float] | None = t["lower_turn_lex"] if facts.lower else None
        self.prev_class, self.next_class = t["prev_class"], t["next_class"]
        self.prev_tag, self.prev_tag_shape = t["prev_tag"], t["prev_tag_shape"]
        self.place: list[float] = [t["position"].get(p, 0.0) for p in (*PLACES, "4")]
        self.speaker: tuple[float, float] = (
            t["speaker_label"].get("", 0.0),
            t["speaker_label"].get("1", 0.0),
        )
        if not facts.lower:
            self.fixed += t["lower_turn_lex"].get("", 0.0)


def _context_score(
    doc: Doc, tokens: list[Token], i: int, prev_tag: str, facts: TurnFacts, w: _TurnWeights
) -> float:
    """``sum`` of the context tables' weights for `context_values`."""
    start, end, low, _, first, place = tokens[i]
    text = doc.text
    p1, p2, n1, n2, prev_class, next_class, before_punct, after_punct = surroundings(
        text, tokens, i
    )
    shape = shape_of(text[start:end])
    score = (
        w.fixed
        + w.p1.get(p1, 0.0)
        + w.p2.get(p2, 0.0)
        + w.n1.get(n1, 0.0)
        + w.n2.get(n2, 0.0)
        + w.bigram.get(p2 + " " + p1, 0.0)
        + w.punct_before.get(before_punct, 0.0)
        + w.punct_after.get(after_punct, 0.0)
        + w.role_p1.get(w.role + p1, 0.0)
        + w.place[place if place < 4 else 4]
        + w.prev_class.get(prev_class, 0.0)
        + w.next_class.get(next_class, 0.0)
        + w.prev_tag.get(prev_tag, 0.0)
        + w.prev_tag_shape.get(prev_tag + shape, 0.0)
        + w.speaker[start < facts.body]
    )
    if first:
        flags = lexicon_flags(low)
        score += w.first_shape.get(shape, 0.0) + w.first_lex.get(flags, 0.0)
    else:
        score += w.first_shape.get("", 0.0) + w.first_lex.get("", 0.0)
    if w.lower_lex is not None:
        score += w.lower_lex.get(lexicon_flags(low), 0.0)
    return score


def _runs(text: str, tokens: list[Token], tags: list[bool]) -> list[tuple[int, int]]:
    """Runs of name words, joined across spaces and hyphens only."""
    runs: list[tuple[int, int]] = []
    start = end = -1
    for tok, is_name in zip(tokens, tags, strict=True):
        if not is_name:
            continue
        if start >= 0 and all(c in _JOINERS for c in text[end : tok.start]):
            end = tok.end
            continue
        if start >= 0:
            runs.append((start, end))
        start, end = tok.start, tok.end
    if start >= 0:
        runs.append((start, end))
    return runs


@cache
def load_model() -> PersonModel:
    """The shipped model (read once)."""
    raw = files("pledge.pii").joinpath("model/person.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return PersonModel(data["word"], data["context"])


def find_learned_names(doc: Doc) -> list[Span]:
    """PERSON spans the model finds (the rules' spans are merged with these later)."""
    spans: list[Span] = []
    for turn, found in zip(doc.turns, load_model().doc_names(doc), strict=True):
        for s, e in found:
            spans.append(Span(turn.start + s, turn.start + e, "PERSON", 0.8))
    return spans
