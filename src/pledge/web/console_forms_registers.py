"""Reading the registers' console forms: lists, checkboxes and dates into the services' input.

The services take pydantic models (:mod:`pledge.registers`); a form sends flat
text fields, so this turns a textarea of addresses into a list, checkboxes
named ``category:<id>`` into policy category ids, empty dates into None, and
a model's field errors (``emails[2]``) back into the form's field names.
"""

from __future__ import annotations

import re
from typing import Any

from pledge.errors import ValidationFailed
from pledge.validation import parse_model

CATEGORY = "category:"


def lines(value: str) -> list[str]:
    """A textarea's non-blank lines (addresses one a line, or separated by commas)."""
    return [part.strip() for part in re.split(r"[\n,;]+", value) if part.strip()]


def checked_categories(form: dict[str, str]) -> list[str]:
    return sorted(name[len(CATEGORY) :] for name in form if name.startswith(CATEGORY))


def optional(form: dict[str, str], name: str) -> str | None:
    return form.get(name, "").strip() or None


def flag(form: dict[str, str], name: str) -> bool:
    return form.get(name, "") in ("1", "on", "yes", "true")


def read(model: type[Any], data: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """(the model, {}) or (None, errors by form field): a form shows each field's problem."""
    try:
        return parse_model(model, data), {}
    except ValidationFailed as exc:
        return None, form_errors(exc)


def form_errors(exc: ValidationFailed) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, message in exc.fields.items():
        errors.setdefault(name.split("[", 1)[0].split(".", 1)[0] or "form", message)
    return errors or {"form": exc.message}
