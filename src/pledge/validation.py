"""Turning pydantic errors into Pledge's ``fields`` map, without echoing values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pledge.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)


def field_name(loc: Iterable[Any]) -> str:
    """``("records", 3, "subject", "email")`` → ``records[3].subject.email``."""
    name = ""
    for part in loc:
        if part in ("body", "query", "path", "header"):
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
        fields.setdefault(field_name(error.get("loc", ())), str(message or "invalid"))
    return fields


def parse_model(model: type[M], data: Any) -> M:
    """Validate ``data`` as ``model`` or raise ValidationFailed naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = error_fields(exc.errors(include_input=False))  # type: ignore[arg-type]
        raise ValidationFailed("the request body is not valid", fields=fields) from None
