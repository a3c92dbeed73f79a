"""From detected spans to the values a Client instructed Pledge to collect.

Values are normalised so the Client receives one form whatever the customer
typed or said (E.164 phones, digits-only account numbers and cards), then
checked against the field's own pattern and validator: a value that fails is
not collected (and stays redacted), never guessed.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from stdnum import luhn

from pledge.pii import Span
from pledge.service_data.instructions import CollectedField, Instructions
from pledge.service_data.patterns import matches_whole

SEPARATORS = re.compile(r"[\s\-./]+")
DATE_FORMATS = (
    "%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y", "%B %d %Y", "%b %d %Y",
    "%d %B %Y", "%d %b %Y", "%m/%d/%y", "%B %d, %Y", "%b %d, %Y",
)  # fmt: skip
ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.IGNORECASE)
AGENT_SPEAKERS = frozenset({"agent", "assistant", "bot", "system", "virtual assistant", "va"})


@dataclass(frozen=True)
class TurnSpan:
    """A span found in one turn, with the turn's speaker (customers' words are preferred)."""

    span: Span
    value: str
    from_customer: bool


def normalise(kind: str, raw: str) -> str | None:
    """The canonical form of a value of ``kind``; None when it is not a valid one."""
    value = " ".join(raw.split())
    if kind == "PHONE":
        return _phone(value)
    if kind in {"ACCOUNT_ID", "CREDIT_CARD", "US_SSN"}:
        compact = SEPARATORS.sub("", value).upper()
        if kind == "CREDIT_CARD" and not (compact.isdigit() and luhn.is_valid(compact)):
            return None
        if kind == "US_SSN":
            return f"{compact[:3]}-{compact[3:5]}-{compact[5:]}" if len(compact) == 9 else None
        return compact or None
    if kind == "EMAIL":
        return value.lower()
    if kind == "IP_ADDRESS":
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return None
    if kind == "DATE_OF_BIRTH":
        return _date(value)
    return value or None


def _phone(value: str) -> str | None:
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _date(value: str) -> str:
    cleaned = ORDINAL.sub(r"\1", value.replace(",", ", ").replace(" ,", ",")).strip()
    cleaned = " ".join(cleaned.split())
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date().isoformat()
        except ValueError:
            continue
    return value


def acceptable(field: CollectedField, value: str) -> bool:
    """The field's own stricter rules: a full-match pattern and a checksum."""
    if field.pattern and not matches_whole(field.pattern, value):
        return False
    if field.validator == "digits" and not value.isdigit():
        return False
    return not (field.validator == "luhn" and not (value.isdigit() and luhn.is_valid(value)))


def extract(instructions: Instructions, found: list[TurnSpan]) -> tuple[dict[str, str], set[Span]]:
    """Fill each instructed field from its kind's spans; returns values and spans used.

    Customers' own words beat the assistant's read-backs, and among those the
    last valid mention wins (people correct themselves). A span fills one field.
    """
    collected: dict[str, str] = {}
    used: set[Span] = set()
    for field in instructions.collect:
        candidates = [t for t in found if t.span.label == field.kind and t.span not in used]
        for candidate in _preferred(candidates):
            value = normalise(field.kind, candidate.value)
            if value is not None and acceptable(field, value):
                collected[field.field] = value
                used.add(candidate.span)
                break
    return collected, used


def _preferred(candidates: list[TurnSpan]) -> list[TurnSpan]:
    customer = [c for c in candidates if c.from_customer]
    others = [c for c in candidates if not c.from_customer]
    return list(reversed(customer)) + list(reversed(others))


def is_customer(speaker: str) -> bool:
    return speaker.strip().lower() not in AGENT_SPEAKERS
