"""Turning pydantic errors into Pledge's ``fields`` map, without echoing values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pledge.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)


def field_name(loc: Iterable[Any]) -> str:
    """``("records", 3, "subject", "email")`` → ``records[3].subject.email``.

    FastAPI puts where a value came from first (``("body", "data", "path")``); only that
    first part is dropped, so a field that happens to be called ``path`` keeps its name.
    """
    name = ""
    for index, part in enumerate(loc):
        if index == 0 and part in ("body", "query", "path", "header"):
            continue
        if isinstance(part, int) or str(part).isdigit():
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def error_fields(errors: Iterable[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        message = "unknown field" if error.get("type") == "extra_forbidden" else error.get("msg")
        # JSON that does not parse is located by its character offset (("body", 7)), which
        # names no field: the field at fault is the body itself.
        where = ("body",) if error.get("type") == "json_invalid" else error.get("loc", ())
        fields.setdefault(field_name(where), str(message or "invalid"))
    return fields


def parse_model(model: type[M], data: Any) -> M:
    """Validate ``data`` as ``model`` or raise ValidationFailed naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = error_fields(exc.errors(include_input=False))  # type: ignore[arg-type]
        raise ValidationFailed("the request body is not valid", fields=fields) from None


# Text that cannot be stored or shown safely: C0 and C1 control characters
# (tab, line feed and carriage return excepted) and lone surrogates, which no
# UTF-8 encoder accepts (Python strings hold astral characters whole, so any
# surrogate code point in a ``str`` is a lone one).
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_CHARACTER = "contains a control character"
LONE_SURROGATE = "contains an unpaired surrogate (not valid Unicode text)"
MAX_TEXT_PROBLEMS = 20
UNNAMED = "(a field with no name)"
"""How ``fields`` names a form field sent with an empty name (``=value``): never ``""``."""


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be accepted as text, or None when it can."""
    match = _BAD_TEXT.search(value)
    if match is None:
        return None
    return LONE_SURROGATE if "\ud800" <= match.group() <= "\udfff" else CONTROL_CHARACTER


def text_problems(data: Any) -> dict[str, str]:
    """Every string in a decoded JSON value (keys too) that :func:`text_problem` refuses.

    Keyed by the path of the value (``records[3].data.note``; ``data.(key)`` when
    a key is at fault), at most ``MAX_TEXT_PROBLEMS``; never the value itself.
    Iterative, so a deeply nested body cannot exhaust the stack.
    """
    found: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(found) < MAX_TEXT_PROBLEMS:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                found[path or "body"] = problem
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = text_problem(str(key))
                if problem:
                    found[f"{path}.(key)" if path else "(key)"] = problem
                else:
                    stack.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return found


def check_text_fields(fields: dict[str, str]) -> None:
    """Refuse form fields (name → value) holding text :func:`text_problem` refuses (422)."""
    problems: dict[str, str] = {}
    for name, value in fields.items():
        problem = text_problem(name) or text_problem(value)
        if problem:
            problems["(a field name)" if text_problem(name) else name or UNNAMED] = problem
    if problems:
        raise ValidationFailed("the request holds text that is not accepted", fields=problems)
