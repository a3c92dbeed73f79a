"""Corrections typed by people and staff: which fields may be corrected, and their typed value.

Why a module of its own: a form and a command line give every value as text,
while the policy's field types (``integer``, ``age``, ``boolean``...) are
checked on typed values by :func:`pledge.rights.corrections.check_corrections`.
Turning the text into the field's type here, once, lets the console form and
``pledge requests create --correction`` hand the service exactly what the
JSON API would, so the same checks give the same messages on every path. A
text that does not read as the field's type is passed on unchanged, so the
check names the field ("not a valid integer") instead of this module guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pledge.policy import Policy

__all__ = ["CorrectableField", "correctable_fields", "typed_value"]

_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


@dataclass(frozen=True)
class CorrectableField:
    """A field of the person's own (controller) data: its id, its name, its type."""

    id: str
    name: str
    type: str


def correctable_fields(policy: Policy) -> list[CorrectableField]:
    """Each field the controller categories declare, once, in the policy's order.

    Processor categories (Service Data) are the Client's: a correction to them
    goes through the Client, so they are not offered.
    """
    seen: dict[str, CorrectableField] = {}
    for category in policy.categories:
        if category.role != "controller":
            continue
        for field in category.fields:
            seen.setdefault(field.id, CorrectableField(field.id, field.name, field.type))
    return list(seen.values())


def _types(policy: Policy, name: str) -> set[str]:
    return {
        field.type
        for category in policy.categories
        if category.role == "controller" and (field := category.field(name)) is not None
    }


def typed_value(policy: Policy, name: str, text: str) -> Any:
    """``text`` as the value the field ``name`` holds: a number, a boolean or the text itself."""
    value = text.strip()
    types = _types(policy, name)
    if types and types <= {"integer", "age"} and _INTEGER.match(value):
        return int(value)
    if types == {"number"}:
        try:
            return int(value) if _INTEGER.match(value) else float(value)
        except ValueError:
            return value
    if types == {"boolean"} and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    return value
