"""Dotted key paths into the policy YAML, as the registry cites them.

``statements.children.text`` or ``jurisdictions.eu.rights.access.description``: a
mapping key, or a list item named by its ``id``, ``type`` or ``name`` (else its index),
the same naming :func:`pledge.conformance.discovery.list_item_name` gives.
"""

from __future__ import annotations

from typing import Any

from pledge.conformance.discovery import list_item_name, normalise

_MISSING = object()


def resolve_key(data: dict[str, Any], key: str) -> Any:
    """The value at ``key``; raise KeyError naming the first part that is not there."""
    node: Any = data
    for part in key.split("."):
        node = _child(node, part)
        if node is _MISSING:
            raise KeyError(f"{key}: no {part!r} there")
    return node


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list):
        for index, item in enumerate(node):
            if list_item_name(item, index) == part:
                return item
    return _MISSING


def states(data: dict[str, Any], key: str, sentence: str) -> bool:
    """Whether the value at ``key`` still holds ``sentence`` (or, for a fact, its value)."""
    try:
        value = resolve_key(data, key)
    except KeyError:
        return False
    if isinstance(value, str):
        return normalise(sentence) in normalise(value)
    return sentence == f"{key}: {value!r}".replace("'", "")
