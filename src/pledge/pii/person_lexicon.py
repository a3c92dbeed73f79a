"""Name and English-word buckets for the learned PERSON model.

``model/lexicon.tsv.gz`` is built at training time from names-dataset (given names and
surnames of 105 countries) and wordfreq (English word frequencies) by
``training/pii/build_lexicon.py``; neither package is needed here.  Each word maps to three
digits: its best given-name rank bucket, surname rank bucket and English frequency bucket
(0 = absent, 3 = most common; English 4 = function-word frequent).  Loaded once, on first
use, in about 50 ms.
"""

from __future__ import annotations

import gzip
from importlib.resources import files

__all__ = ["is_english", "lexicon_flags", "lexicon_words", "plain_english_words"]

_ABSENT = "000"


_loaded: dict[str, str] = {}
_plain_english: set[str] = set()


def _load() -> dict[str, str]:
    if not _loaded:
        raw = files("pledge.pii").joinpath("model/lexicon.tsv.gz").read_bytes()
        for line in gzip.decompress(raw).decode().splitlines():
            flags, words = line.split("\t")
            split = words.split(" ")
            _loaded.update(dict.fromkeys(split, flags))
            if flags[2] != "0" and flags[0] == "0" and flags[1] == "0":
                _plain_english.update(split)
    return _loaded


def plain_english_words() -> set[str]:
    """Words that are English and in no country's name lists (``"camera"``, ``"refund"``):
    the set, filled with the lexicon, so that a membership test is one C-level look-up."""
    if not _loaded:
        _load()
    return _plain_english


def lexicon_flags(word: str) -> str:
    """Three bucket digits for a lower-case word (``"000"`` for an unknown word)."""
    return (_loaded or _load()).get(word, _ABSENT)


def is_english(word: str) -> bool:
    """Whether a lower-case word is in the English word list at all (even if also a name)."""
    return lexicon_flags(word)[2] != "0"


def lexicon_words() -> list[tuple[str, str]]:
    """Every word with its flags (for training)."""
    return list(_load().items())
