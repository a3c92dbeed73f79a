"""Requests staff enter for a person who phoned, wrote or came in: the same intake as the API.

Why one builder for the console and the CLI: a request received by phone
needs what one made online needs (a second data point to verify identity,
the corrections of a rectification, an agent's details), or it is denied at
fulfilment ("not verified") or waits for the person to give the corrections on
the request's page (``awaiting_corrections``).
Both faces collect flat text (form inputs, ``FIELD=VALUE`` options); this
module turns it into the :class:`~pledge.rights.schemas.RequestIn` the JSON
API takes, checks everything at once so a form can show every problem beside
its field, and calls :func:`pledge.rights.service.submit`, which mails the
person the same code (and an agent's acknowledgement) as any other path.
Nothing is stored unless every check passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pledge.core import Pledge
from pledge.errors import ValidationFailed
from pledge.i18n.catalogues import supported
from pledge.rights.correction_input import typed_value
from pledge.rights.corrections import check_corrections
from pledge.rights.identity import check_agent, check_match, match_indexes
from pledge.rights.lifecycle import now_or
from pledge.rights.schemas import RequestIn
from pledge.rights.service import Submitted, submit
from pledge.validation import parse_model

__all__ = ["STAFF_CHANNELS", "StaffIntake", "check_intake", "submit_for_person"]

STAFF_CHANNELS = ("phone", "post", "email", "in_person")
"""How a request reaches staff; each is also a ``method`` the service records."""


@dataclass
class StaffIntake:
    """What staff typed, as text; blank strings count as not given."""

    type: str
    email: str
    country: str
    channel: str
    region: str = ""
    details: str = ""
    match: dict[str, str] = field(default_factory=dict)
    """Second data points by verifier field (``phone``...)."""
    corrections: list[tuple[str, str]] = field(default_factory=list)
    """``(field, new value)`` pairs, in the order given."""
    agent_name: str = ""
    agent_email: str = ""
    agent_permission: str = ""
    language: str = ""
    """The language to write to the person in (``de``...): the one they spoke or wrote in.
    Blank is the policy's own (English); one without a catalogue is refused."""


def _corrections(
    pledge: Pledge, pairs: list[tuple[str, str]], problems: dict[str, str]
) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name, text in pairs:
        name = name.strip()
        if not name and not text.strip():
            continue
        if not name:
            problems["corrections"] = "name the field each corrected value is for"
            continue
        if name in out:
            problems[f"corrections.{name}"] = "given twice; give one corrected value"
            continue
        out[name] = typed_value(pledge.policy, name, text) if text.strip() else None
    return out or None


def _agent(intake: StaffIntake) -> dict[str, str] | None:
    given = {
        "name": intake.agent_name.strip(),
        "email": intake.agent_email.strip(),
        "permission": intake.agent_permission.strip(),
    }
    return given if any(given.values()) else None


def _body(pledge: Pledge, intake: StaffIntake, problems: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": intake.type,
        "email": intake.email.strip(),
        "country": intake.country.strip(),
        "region": intake.region.strip() or None,
        "details": intake.details.strip() or None,
        "match": {k: v for k, v in intake.match.items() if v.strip()},
    }
    language = intake.language.strip().lower()
    if language and language not in supported():
        problems["language"] = f"one of {', '.join(supported())}"
    elif language:
        body["language"] = language
    corrections = _corrections(pledge, intake.corrections, problems)
    if corrections is not None:
        body["corrections"] = corrections
    agent = _agent(intake)
    if agent is not None:
        body["agent"] = agent
    return body


def _collect(problems: dict[str, str], check: Callable[[], object]) -> None:
    try:
        check()
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            problems.setdefault(name, message)


def _check_points(pledge: Pledge, body: dict[str, Any], problems: dict[str, str]) -> None:
    """Declared verifiers only, and a phone that reads as one in the person's country."""
    try:
        given = check_match(pledge.policy.verification, body["match"], body["email"])
    except ValidationFailed as exc:
        problems.update({k: v for k, v in exc.fields.items() if k not in problems})
        return
    country = str(body["country"]).upper()
    if not (len(country) == 2 and country.isalpha()):
        return  # the country's own message says what to fix; phones are read in it
    try:
        match_indexes(pledge.keys, given, country)
    except ValidationFailed:
        problems.setdefault("match.phone", "not a phone number")


def _check_corrections(
    pledge: Pledge, body: dict[str, Any], type: str, today: date, problems: dict[str, str]
) -> None:
    corrections = body.get("corrections")
    if not corrections:
        return
    if type != "rectification":
        problems.setdefault("corrections", "only for type rectification")
        return
    _collect(problems, lambda: check_corrections(pledge.policy, corrections, today))


def check_intake(pledge: Pledge, intake: StaffIntake, *, now: datetime | None = None) -> RequestIn:
    """The request the service will take, or one 422 naming every field at fault.

    Runs the service's own checks (schema, agent permission, declared verifiers,
    corrections by field type) up front and each on its own, so staff fix a
    whole form at once; :func:`submit` runs them again before writing anything.
    """
    today = now_or(now).date()
    problems: dict[str, str] = {}
    if intake.channel not in STAFF_CHANNELS:
        problems["channel"] = f"one of {', '.join(STAFF_CHANNELS)}"
    body = _body(pledge, intake, problems)
    parsed: RequestIn | None = None
    _collect(problems, lambda: check_agent(body.get("agent")))
    try:
        parsed = parse_model(RequestIn, body)
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            problems.setdefault(name, message)
    _check_points(pledge, body, problems)
    type = parsed.type if parsed is not None else intake.type.strip().lower()
    _check_corrections(pledge, body, type, today, problems)
    if problems or parsed is None:
        raise ValidationFailed("some fields are not valid", fields=problems)
    return parsed


def submit_for_person(
    pledge: Pledge, intake: StaffIntake, *, actor: str, now: datetime | None = None
) -> Submitted:
    """Check, then record the request as received by ``intake.channel``; the person is mailed
    the code (never shown to staff), and an agent the acknowledgement."""
    body = check_intake(pledge, intake, now=now)
    return submit(pledge, body, method=intake.channel, actor=actor, now=now)
