"""Checks a record against the policy before anything is written.

Every problem is reported at once, keyed by the field that causes it, so a
caller can fix a whole form in one round trip. Messages name fields, never
values: error bodies end up in logs.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from pledge.policy import Category, Field, Policy
from pledge.records.schemas import RecordIn

MAX_TEXT = 20_000


@dataclass(frozen=True)
class Resolved:
    """What the policy says about a valid record: its jurisdiction and legal basis."""

    jurisdiction: str
    legal_basis: str
    category: Category


def check_record(
    policy: Policy, record: RecordIn, today: date
) -> tuple[dict[str, str], Resolved | None]:
    """Return ``(errors, resolved)``; ``resolved`` is None whenever errors is not empty."""
    errors: dict[str, str] = {}
    errors.update(_check_subject(record))
    category = policy.category(record.category)
    if category is None:
        errors["category"] = "not declared in the policy"
    purpose = policy.purpose(record.purpose)
    if purpose is None:
        errors["purpose"] = "not declared in the policy"
    elif category is not None and record.purpose not in category.purposes:
        errors["purpose"] = f"not a declared purpose of category {category.id}"
    if category is not None:
        errors.update(_check_data(policy, category, record.data, today))
    jurisdiction = policy.jurisdiction_for(record.subject.country, record.subject.region)
    basis = policy.legal_basis(record.purpose, jurisdiction.id) if purpose else None
    if purpose is not None and basis is None:
        errors["purpose"] = f"no legal basis declared for jurisdiction {jurisdiction.id}"
    if errors or category is None or basis is None:
        return errors, None
    return {}, Resolved(jurisdiction.id, basis, category)


def _check_subject(record: RecordIn) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _is_email(record.subject.email):
        errors["subject.email"] = "not a valid e-mail address"
    if record.subject.phone is not None and not _is_phone(
        record.subject.phone, record.subject.country
    ):
        errors["subject.phone"] = "not a valid phone number"
    if not record.subject.country.isalpha():
        errors["subject.country"] = "not an ISO 3166-1 alpha-2 code"
    return errors


def _check_data(
    policy: Policy, category: Category, data: dict[str, Any], today: date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data:
        errors["data"] = "no fields given"
    for name, value in data.items():
        field = category.field(name)
        if field is None:
            errors[f"data.{name}"] = f"not a declared field of category {category.id}"
            continue
        problem = check_value(field, value, policy.minimum_age, today)
        if problem:
            errors[f"data.{name}"] = problem
    for field in category.fields:
        if field.required and field.id not in data:
            errors[f"data.{field.id}"] = "required by the policy"
    return errors


def check_value(field: Field, value: Any, minimum_age: int, today: date) -> str | None:
    """Type check one value; None when it is acceptable."""
    if value is None:
        return None
    checker = _CHECKERS.get(field.type, _is_short_text)
    if not checker(value):
        return f"not a valid {field.type.replace('_', ' ')}"
    if field.type == "date_of_birth" and age_on(date.fromisoformat(value), today) < minimum_age:
        return f"shows an age under {minimum_age}; the policy does not collect data of children"
    if field.type == "age" and int(value) < minimum_age:
        return f"shows an age under {minimum_age}; the policy does not collect data of children"
    return None


def age_on(birth: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - int(before_birthday)


def _is_email(value: Any) -> bool:
    return isinstance(value, str) and _valid_email_text(value)


@lru_cache(maxsize=65_536)
def _valid_email_text(value: str) -> bool:
    """Cached: bulk imports repeat each address (subject and data) many times."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _is_phone(value: Any, country: str | None = None) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = phonenumbers.parse(value, (country or "US").upper())
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed)


def _is_short_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 1000


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


UPLOAD_KEYS = frozenset({"filename", "media_type", "size", "sha256", "content_base64"})
MAX_UPLOAD_CHARS = 14_000_000
"""Base64 of the largest file a form may take (10 MB), with room to spare."""


def _is_file(value: Any) -> bool:
    """A file's name or text, or a form's upload: its name, type, size, digest and bytes."""
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    if not isinstance(value, dict) or set(value) != UPLOAD_KEYS:
        return False
    content = value["content_base64"]
    return (
        isinstance(content, str)
        and len(content) <= MAX_UPLOAD_CHARS
        and _is_int(value["size"])
        and all(isinstance(value[k], str) for k in ("filename", "media_type", "sha256"))
    )


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_birth_date(value: Any) -> bool:
    if not _is_date(value):
        return False
    return date.fromisoformat(value) <= datetime.now(UTC).date()


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_age(value: Any) -> bool:
    return _is_int(value) and 0 <= value <= 150


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _is_ip(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_country(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isalpha()


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 2000 and "://" in value


_CHECKERS: dict[str, Callable[[Any], bool]] = {
    "string": _is_short_text,
    "text": _is_text,
    "file": _is_file,
    "email": _is_email,
    "phone": _is_phone,
    "url": _is_url,
    "country": _is_country,
    "date": _is_date,
    "datetime": _is_datetime,
    "date_of_birth": _is_birth_date,
    "age": _is_age,
    "integer": _is_int,
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "ip_address": _is_ip,
}
