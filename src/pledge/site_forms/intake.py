"""A submission checked against its form: every problem at once, keyed by the field.

Nothing here writes. A person under the policy's ``minimum_age`` is refused
here, before their e-mail address is counted, stored or mailed: the birth year
alone cannot tell a 12-year-old from a 13-year-old, so a year that could be
either is refused too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from pledge.errors import ValidationFailed
from pledge.i18n import N_
from pledge.policy import Policy, SiteForm, SiteFormField
from pledge.site_forms.spam import HONEYPOT, HONEYPOT_FILLED
from pledge.site_forms.uploads import Upload, check_upload

AGE_FIELD = "birth_year"
MAX_LENGTH = {"text": 200, "textarea": 5000}
Value = str | bool | Upload

REQUIRED = N_("Please fill in this field.")
TOO_LONG = N_("Please shorten this text.")
NOT_EMAIL = N_("Enter an e-mail address, such as name@example.org.")
NOT_PHONE = N_("This is not a phone number; please check it.")
NOT_COUNTRY = N_("Choose the country where you live.")
NOT_DATE = N_("Enter a date as YYYY-MM-DD.")
NOT_TEXT = N_("This field takes text.")
NOT_FILE = N_("Choose a file to send.")
NOT_YEAR = N_("Enter the year you were born, such as 1990.")
TOO_YOUNG = N_(
    "Sorry: we cannot take data from children under %(age)d, so nothing was kept. "
    "If a child gave us data, tell us through the link above."
)
CONSENT_NEEDED = N_("Tick this box to sign up: we send this only with your consent.")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Submission:
    """A valid submission: who, where, the values the record keeps and the consent answers."""

    email: str
    country: str
    jurisdiction: str
    data: dict[str, Any]
    answers: dict[str, bool] = field(default_factory=dict)


def check_submission(
    policy: Policy, form: SiteForm, values: Mapping[str, Value], today: date
) -> Submission:
    """The submission, or ValidationFailed naming every field at fault (messages are N_ keys)."""
    errors: dict[str, str] = {}
    if values.get(HONEYPOT):
        errors[HONEYPOT] = HONEYPOT_FILLED
    if form.ask_age:
        problem = age_problem(values.get(AGE_FIELD), policy.minimum_age, today)
        if problem:
            # A child's other answers are not even looked at.
            raise ValidationFailed("the form is not valid", fields={AGE_FIELD: problem})
    clean: dict[str, Any] = {}
    for item in form.fields:
        value, problem = _check_field(item, values.get(item.id), _text(values.get("country")))
        if problem:
            errors[item.id] = problem
        elif value is not None:
            clean[item.id] = value
    if errors:
        raise ValidationFailed("the form is not valid", fields=errors)
    country = str(clean["country"])
    jurisdiction = policy.jurisdiction_for(country).id
    answers = {q.id: _checked(values.get(q.id)) for q in form.consents if q.asked_in(jurisdiction)}
    if policy.legal_basis(form.purpose, jurisdiction) == "consent":
        for question in form.consents:
            if question.purpose == form.purpose and answers.get(question.id) is False:
                errors[question.id] = CONSENT_NEEDED
    if errors:
        raise ValidationFailed("the form is not valid", fields=errors)
    category = policy.category(form.category)
    kept = {k: v for k, v in clean.items() if category is not None and category.field(k)}
    return Submission(str(clean["email"]), country, jurisdiction, kept, answers)


def age_problem(value: Value | None, minimum_age: int, today: date) -> str | None:
    text = _text(value).strip()
    if not text:
        return REQUIRED
    if not text.isdigit() or len(text) != 4 or not 1900 <= int(text) <= today.year:
        return NOT_YEAR
    youngest = today.year - int(text) - 1
    return TOO_YOUNG if youngest < minimum_age else None


def _text(value: Value | None) -> str:
    return value if isinstance(value, str) else ""


def _checked(value: Value | None) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in ("on", "true", "1", "yes")


def _check_field(item: SiteFormField, value: Value | None, country: str) -> tuple[Any, str | None]:
    if item.type == "file":
        if not isinstance(value, Upload) or (not value.data and not value.filename):
            return None, NOT_FILE if item.required else None
        return check_upload(item, value)
    if item.type == "checkbox":
        return _checked(value), None
    if isinstance(value, Upload):
        return None, NOT_TEXT
    text = _text(value).strip()
    if not text:
        return None, REQUIRED if item.required else None
    limit = item.max_length or MAX_LENGTH.get(item.type, 320)
    if len(text) > limit:
        return None, TOO_LONG
    if item.type == "text" and ("\n" in text or "\r" in text):
        return None, NOT_TEXT
    checker = _CHECKS.get(item.type)
    if checker is None:
        return text, None
    return checker(text, country)


def _email(text: str, country: str) -> tuple[Any, str | None]:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None, NOT_EMAIL
    return text, None


def _phone(text: str, country: str) -> tuple[Any, str | None]:
    try:
        parsed = phonenumbers.parse(
            text, country.upper() if _COUNTRY.match(country.upper()) else "US"
        )
    except phonenumbers.NumberParseException:
        return None, NOT_PHONE
    return (text, None) if phonenumbers.is_possible_number(parsed) else (None, NOT_PHONE)


def _country(text: str, country: str) -> tuple[Any, str | None]:
    code = text.upper()
    return (code, None) if _COUNTRY.match(code) else (None, NOT_COUNTRY)


def _date(text: str, country: str) -> tuple[Any, str | None]:
    try:
        date.fromisoformat(text)
    except ValueError:
        return None, NOT_DATE
    return text, None


_CHECKS = {"email": _email, "phone": _phone, "country": _country, "date": _date}
