"""Finding the promises in a policy YAML file, by a rule written down once.

A promise is a sentence of the policy's prose that commits someone to a behaviour.
The rule (documented in docs/conformance.md) reads every prose value of the policy
file -- the keys in :data:`PROSE_KEYS`, outside ``translations`` (they repeat the
English promises) -- splits it into sentences, and keeps each sentence that has a
promise verb (:data:`PROMISE_PATTERN`: "we will", "we do not", "we use", "you may",
...).  Each item of ``security.measures`` is a promise by construction, and so are
the policy's stated facts (:data:`FACT_KEYS`).  A sentence found at several keys (the
GDPR rights are shared by the EU, the UK and Switzerland through a YAML anchor) is
one promise, stated at the first key met.

The registry (``promises.yaml``) must hold an entry for exactly these sentences:
``tests/conformance/test_registry.py`` fails on a promise without an entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

PROSE_KEYS = frozenset(
    {
        "text",
        "description",
        "statement",
        "basis_note",
        "role_statement",
        "hr_data_note",
        "arbitration",
    }
)
"""Keys whose string values are prose the public reads."""

FACT_KEYS = ("sells_personal_data", "honours_do_not_track", "minimum_age")
"""Top-level values that state a behaviour without a sentence of their own."""

SKIPPED_TOP_KEYS = frozenset({"translations"})

PROMISE_PATTERN = re.compile(
    r"\b(?:we|interactions|you|the client|google|our servers|our sales representatives|"
    r"our provider|our third party service providers|our legitimate interests|"
    r"our use of information on behalf of our clients|this aggregate information|"
    r"this policy|third parties who provide services to us|"
    r"your authorized agent|third parties who|these parties|individuals with)\b"
    r"(?:\s+(?:also|only|still|further|first|currently|automatically|not|then|may|can|"
    r"will|do|does|have|has|shall|should|must|never|inquiries or complaints))*"
    r"\s+(?:will|shall|may|must|should|do not|does not|never|use|uses|keep|take|"
    r"maintain|honor|honour|commits|rely|process|collect|collects|collected|share|"
    r"disclose|disclosed|record|store|act|provides|make sure|complies|can|contact|"
    r"are (?:not )?responsible|is governed|is the data controller|are required|"
    r"have (?:certain rights|the right)|has certified|are entitled|have further committed|"
    r"does not identify|do not automatically override)\b"
    r"|\b(?:will|shall) (?:not )?be \w+ed\b"
    r"|\b(?:is|are) (?:asked for|set without consent)\b"
    r"|\boption may be available\b",
    re.IGNORECASE,
)
"""A subject that acts (we, Interactions, the Client, you, a named party) followed by
a verb of commitment or of practice; a passive commitment ("will be transmitted",
"is asked for", "are set without consent"); or recourse that "may be available"."""

WHOLE_PROMISE_KEYS = (
    "jurisdictions.*.rights.*.description",
    "purposes.*.description",
    "purposes.*.basis_note",
)
"""Prose whose every sentence is a promise: a right the person has, a use the data is
put to, and the legal basis of that use."""

_ABBREVIATIONS = ("U.S.", "Inc.", "e.g.", "i.e.", "Art.", "No.", "www.")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


@dataclass(frozen=True)
class FoundPromise:
    """A promise the rule found: its policy key and its sentence (whitespace normalised)."""

    key: str
    sentence: str


def normalise(text: str) -> str:
    """One space between words, so a sentence compares equal however YAML folded it."""
    return " ".join(text.split())


def sentences(text: str) -> list[str]:
    """The sentences of a prose value; abbreviations such as "U.S." do not end one."""
    protected = normalise(text)
    for index, abbreviation in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbreviation, f"\x00{index}\x00")
    parts = _SENTENCE_END.split(protected)
    result = []
    for part in parts:
        for index, abbreviation in enumerate(_ABBREVIATIONS):
            part = part.replace(f"\x00{index}\x00", abbreviation)
        if part.strip():
            result.append(part.strip())
    return result


def is_promise(sentence: str) -> bool:
    """Whether a sentence commits someone to a behaviour (:data:`PROMISE_PATTERN`)."""
    return PROMISE_PATTERN.search(sentence) is not None


def read_policy_data(path: str | Path) -> dict[str, Any]:
    """The policy file as plain YAML data (anchors resolved), for key paths and prose."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("the policy must be a mapping of keys to values")
    return data


def list_item_name(item: Any, index: int) -> str:
    """How a key path names a list item: its ``id``, ``type`` or ``name``, else its index."""
    if isinstance(item, dict):
        for field in ("id", "type", "name"):
            value = item.get(field)
            if isinstance(value, str) and value and "." not in value:
                return value
    return str(index)


def _walk(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, (*path, list_item_name(item, index)))


def _is_whole_promise(path: tuple[str, ...]) -> bool:
    return any(fnmatchcase(".".join(path), pattern) for pattern in WHOLE_PROMISE_KEYS)


def _candidates(data: dict[str, Any]) -> Iterator[FoundPromise]:
    for path, node in _walk(data, ()):
        if not path or path[0] in SKIPPED_TOP_KEYS:
            continue
        if path[-1] in PROSE_KEYS and isinstance(node, str):
            whole = _is_whole_promise(path)
            for sentence in sentences(node):
                if whole or is_promise(sentence):
                    yield FoundPromise(".".join(path), sentence)
        elif path[:2] == ("security", "measures") and len(path) == 3 and isinstance(node, str):
            yield FoundPromise(".".join(path), normalise(node))
    for key in FACT_KEYS:
        if key in data:
            yield FoundPromise(key, f"{key}: {data[key]!r}".replace("'", ""))


def find_promises(data: dict[str, Any]) -> list[FoundPromise]:
    """Every promise of the policy data, once each, in the order of the file."""
    seen: set[str] = set()
    found = []
    for promise in _candidates(data):
        if promise.sentence not in seen:
            seen.add(promise.sentence)
            found.append(promise)
    return found
