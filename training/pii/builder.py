"""Assemble a transcript line by line while recording the offsets of every labelled value.

Templates are plain strings with ``{slot}`` placeholders; a slot is filled with a ``Val``
(a labelled value or a distractor) or a plain string. The style's transforms (lower case,
no punctuation, capitals, typos) apply to the template words; values keep their own form
except for case, so span offsets always point at the value as written.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

LABELS = (
    "PERSON",
    "EMAIL",
    "PHONE",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "US_SSN",
    "DATE_OF_BIRTH",
    "IP_ADDRESS",
    "ACCOUNT_ID",
)
DISTRACTORS = (
    "DATE",
    "OLDDATE",
    "BOT",
    "AGENT",
    "TOTAL",
    "TIME",
    "DURATION",
    "CASE",
    "MODEL",
    "SERIAL",
    "TRACKING",
    "CITY",
    "VERSION",
    "PROMO",
    "PERCENT",
    "STORE",
    "LAST4",
    "MASKED_CARD",
    "MASKED_SSN",
)
_SLOT = re.compile(r"\{(\w+)\}")
_PUNCT = re.compile(r"[,.!?;:]")


@dataclass(frozen=True)
class Val:
    """A value placed in a template: ``tag`` is a label, a distractor type or "" (plain)."""

    text: str
    tag: str = ""


@dataclass
class Style:
    """How the words of a transcript are written.

    case: "as_is", "lower" or "upper"; punct: keep punctuation; typos: chance per word
    of a slip (swapped or dropped letter) in template words, never in values.
    """

    case: str = "as_is"
    punct: bool = True
    typos: float = 0.0

    def words(self, text: str, rng: random.Random) -> str:
        if not self.punct:
            text = _PUNCT.sub("", text)
        if self.typos:
            text = " ".join(
                _slip(w, rng) if rng.random() < self.typos else w for w in text.split(" ")
            )
        return self.value(text)

    def value(self, text: str) -> str:
        if self.case == "lower":
            return text.lower()
        if self.case == "upper":
            return text.upper()
        return text


def _slip(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


@dataclass
class Transcript:
    """A transcript under construction: its lines and the spans found so far."""

    rng: random.Random
    style: Style
    lines: list[str] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    distractors: list[dict[str, Any]] = field(default_factory=list)
    _offset: int = 0

    def line(
        self, prefix: str | Val | tuple[str | Val, ...], template: str, **slots: str | Val
    ) -> None:
        """Append one line: a speaker prefix (may hold values) then the filled template."""
        out: list[str] = []
        start = self._offset + (1 if self.lines else 0)
        pos = start
        prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
        for part in prefixes:
            pos = self._put(out, pos, part)
        cursor = 0
        for m in _SLOT.finditer(template):
            pos = self._put(out, pos, self.style.words(template[cursor : m.start()], self.rng))
            slot = slots[m.group(1)]
            pos = self._put(
                out, pos, self.style.words(slot, self.rng) if isinstance(slot, str) else slot
            )
            cursor = m.end()
        pos = self._put(out, pos, self.style.words(template[cursor:], self.rng))
        text = "".join(out)
        self.lines.append(text)
        self._offset = start + len(text)

    def _put(self, out: list[str], pos: int, part: str | Val) -> int:
        if isinstance(part, str):
            out.append(part)
            return pos + len(part)
        text = self.style.value(part.text)
        if part.tag in LABELS:
            self.spans.append({"start": pos, "end": pos + len(text), "label": part.tag})
        elif part.tag:
            self.distractors.append({"start": pos, "end": pos + len(text), "type": part.tag})
        out.append(text)
        return pos + len(text)

    def text(self) -> str:
        return "\n".join(self.lines)
