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
from collections import Counter
from functools import cache
from importlib.resources import files
from typing import Any

from pledge.pii.context import Doc
from pledge.pii.person_features import (
    CONTEXT_TEMPLATES,
    WORD_TEMPLATES,
    Token,
    context_values,
    is_candidate,
    tokens_of,
    word_values,
)
from pledge.pii.spans import Span

__all__ = ["PersonModel", "find_learned_names", "load_model"]

_JOINERS = frozenset(" \t-")
_WORD_CACHE_LIMIT = 200_000


class PersonModel:
    """Weights per template; `tag` says which words of a transcript are names."""

    def __init__(self, word: dict[str, dict[str, float]], context: dict[str, dict[str, float]]):
        self.word_tables = [word.get(name, {}) for name in WORD_TEMPLATES]
        self.context_tables = [context.get(name, {}) for name in CONTEXT_TEMPLATES]
        self._word_scores: dict[str, float] = {}

    def word_score(self, word: str) -> float:
        score = self._word_scores.get(word)
        if score is None:
            values = word_values(word)
            score = sum(t.get(v, 0.0) for t, v in zip(self.word_tables, values, strict=True))
            if len(self._word_scores) < _WORD_CACHE_LIMIT:
                self._word_scores[word] = score
        return score

    def tag(self, doc: Doc, tokens: list[Token]) -> list[bool]:
        """For each token, whether it is (part of) a person's name."""
        text, low = doc.text, doc.low
        words = Counter(t.turn for t in tokens)
        lower: dict[int, bool] = {}
        tables = self.context_tables
        out: list[bool] = []
        prev = "O"
        for i, tok in enumerate(tokens):
            if not is_candidate(tok, text):
                out.append(False)
                prev = "O"
                continue
            if tok.turn not in lower:
                turn = doc.turns[tok.turn]
                lower[tok.turn] = text[turn.body : turn.end] == low[turn.body : turn.end]
            values = context_values(doc, tokens, i, prev, words[tok.turn], lower[tok.turn])
            score = self.word_score(text[tok.start : tok.end])
            score += sum(t.get(v, 0.0) for t, v in zip(tables, values, strict=True))
            out.append(score > 0.0)
            prev = "N" if score > 0.0 else "O"
        return out


def spans_of(doc: Doc, tokens: list[Token], tags: list[bool]) -> list[Span]:
    """Runs of name words in one turn, joined across spaces and hyphens only."""
    text = doc.text
    spans: list[Span] = []
    start = end = -1
    turn = -1
    for tok, is_name in zip(tokens, tags, strict=True):
        if not is_name:
            continue
        gap = text[end : tok.start]
        if start >= 0 and tok.turn == turn and all(c in _JOINERS for c in gap):
            end = tok.end
            continue
        if start >= 0:
            spans.append(Span(start, end, "PERSON", 0.8))
        start, end, turn = tok.start, tok.end, tok.turn
    if start >= 0:
        spans.append(Span(start, end, "PERSON", 0.8))
    return spans


@cache
def load_model() -> PersonModel:
    """The shipped model (read once)."""
    raw = files("pledge.pii").joinpath("model/person.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return PersonModel(data["word"], data["context"])


def find_learned_names(doc: Doc) -> list[Span]:
    """PERSON spans the model finds (the rules' spans are merged with these later)."""
    tokens = tokens_of(doc)
    return spans_of(doc, tokens, load_model().tag(doc, tokens))
