"""Patterns rewritten so that ``sre`` can skip to their first character find exactly what
the plainer forms found (the rewrites are for speed only, docs/pii.md "Speed")."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pledge.pii.context import _SENTENCE_SPLIT, literal_trie_pattern, word_start_alternatives

_LETTERS = "abnoé_1"
_TEXT = st.text(alphabet=_LETTERS + " .?!\n'-", max_size=40)
_WORDS = st.lists(
    st.text(alphabet=_LETTERS, min_size=1, max_size=4),
    min_size=1,
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(_WORDS, _TEXT, st.integers(0, 40), st.integers(0, 40))
def test_word_start_alternatives_find_what_word_boundaries_find(
    words: list[str], text: str, pos: int, width: int
) -> None:
    plain = re.compile(r"\b(?:" + literal_trie_pattern(words) + r")\b")
    fast = re.compile(word_start_alternatives(words))
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    got, want = fast.search(text, pos, pos + width), plain.search(text, pos, pos + width)
    assert (got and got.span()) == (want and want.span())


def test_word_start_alternatives_refuse_what_is_no_word() -> None:
    for bad in ("", "#tag", " x"):
        try:
            word_start_alternatives([bad])
        except ValueError:
            continue
        raise AssertionError(bad)


_PLAIN_SPLIT = re.compile(r"(?<=[.?!])(?<!\bno\.)(?<!\bnr\.)\s+")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="nor.?! \tx\n", max_size=40))
def test_sentence_split_opening_with_a_space_splits_as_before(text: str) -> None:
    assert _SENTENCE_SPLIT.split(text) == _PLAIN_SPLIT.split(text)
