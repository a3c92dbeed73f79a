"""What the registers share: checked input, policy categories, sealing, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pledge import audit
from pledge.core import Pledge
from pledge.errors import ValidationFailed
from pledge.policy import Policy
from pledge.policy.render import spreadsheet_safe
from pledge.validation import parse_model, text_problem

MAX_SHOWN = 1000
"""Newest entries a list reads; a register holds tens or hundreds a year."""


def _plain(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain)]
"""An organisation's name or a reference: trimmed, not blank, no control characters."""
Basis = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_plain)]
Prose = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_plain)]


Email = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def parse(model: type[Any], data: dict[str, Any]) -> Any:
    """``data`` (a form's or a command's fields) as ``model``, or 422 naming each field."""
    return parse_model(model, data)


def midnight(day: date | None) -> datetime | None:
    """A date as the start of that day in UTC, how the registers store dates."""
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def check_categories(
    policy: Policy, categories: Sequence[str], *, allowed: Iterable[str] | None = None
) -> dict[str, str]:
    """Problems with policy category ids, by ``categories[i]``; ``allowed`` narrows them."""
    allowed_set = set(allowed) if allowed is not None else None
    problems: dict[str, str] = {}
    for position, category in enumerate(categories):
        if policy.category(category) is None:
            problems[f"categories[{position}]"] = "not a category declared in the policy"
        elif allowed_set is not None and category not in allowed_set:
            problems[f"categories[{position}]"] = "the policy does not give it to this recipient"
    return problems


def refuse(message: str, problems: dict[str, str]) -> None:
    """Raise ValidationFailed when there are problems; nothing is written then."""
    if problems:
        raise ValidationFailed(message, fields=problems)


def category_names(policy: Policy, categories: Iterable[str]) -> list[str]:
    names = []
    for category_id in categories:
        category = policy.category(category_id)
        names.append(category.name if category else category_id)
    return names


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV a spreadsheet opens safely: every text cell kept from running as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return spreadsheet_safe(" ".join(str(item) for item in value))
    return spreadsheet_safe(str(value))


def audit_shown(
    pledge: Pledge,
    reader: str | None,
    register: str,
    object_id: str,
    what: str,
    *,
    entries: int,
    form: str,
) -> None:
    """One read entry for ``reader`` having been shown a register's sealed text, decrypted.

    The registers seal what may name people (a scope, a summary, reasons, a
    note); the policy says every access is recorded, so each page, answer or
    export that shows it leaves one entry: ids and counts only. ``reader`` None
    is the service reading for itself (an entry echoed back to whoever just
    wrote it, a notice being mailed): nothing new is shown to anyone then.
    """
    if reader is None or entries == 0:
        return
    with pledge.transaction() as session:
        counts = {"entries": entries, "form": form}
        audit.audit_read(session, reader, register, object_id, what, counts=counts)


def matches(search: str, *texts: object) -> bool:
    """Whether every word of ``search`` is in one of ``texts`` (case-insensitive)."""
    haystack = " ".join(str(text) for text in texts if text is not None).casefold()
    return all(word in haystack for word in search.casefold().split())
