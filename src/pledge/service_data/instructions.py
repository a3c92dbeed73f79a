"""A Client's collection instructions: the only values Pledge may keep for it.

The policy promises that "we will only collect the information our Clients
have instructed us to collect"; this file format is where that instruction
lives, checked with ``location: message`` problems like the policy itself.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pledge.errors import ValidationFailed
from pledge.pii import LABELS
from pledge.policy import Policy, Problem, load_yaml_model
from pledge.policy.checks import Loc
from pledge.service_data.patterns import compile_error
from pledge.validation import field_name

Validator = Literal["luhn", "digits"]
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MIN_SECRET_LENGTH = 32
STORED = "stored"
"""Validation context flag: instructions read back from the database, registered under
earlier rules (a shorter secret), which must still load."""


def _loopback(url: str) -> bool:
    """A webhook on this very machine (development, the contract's example): a short
    secret is tolerated there; anywhere else it must be long."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CollectedField(BaseModel):
    """One value the Client wants: its kind, and optionally a stricter format."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(description="Name of the value in `collected` and in the webhook body.")
    kind: str = Field(description="The PII label whose spans may fill this field.")
    pattern: str | None = Field(
        default=None,
        description="Regular expression the normalised value must match whole, "
        "e.g. '\\d{8,12}' for an account number of 8 to 12 digits.",
    )
    validator: Validator | None = Field(default=None, description="luhn or digits.")
    description: str | None = None

    @field_validator("field")
    @classmethod
    def _field_name(cls, value: str) -> str:
        if not FIELD_NAME.match(value):
            raise ValueError("must be lower_snake_case, starting with a letter")
        return value

    @field_validator("kind")
    @classmethod
    def _known_label(cls, value: str) -> str:
        if value not in LABELS:
            raise ValueError(f"must be one of {', '.join(LABELS)}")
        return value

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Compiled by RE2 (linear time, `pledge.service_data.patterns`): a pattern it
        refuses is refused here, at registration.  Instructions read back from the database
        still load; a stored pattern RE2 refuses just collects nothing."""
        stored = isinstance(info.context, dict) and info.context.get(STORED)
        if value is not None and not stored:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
            problem = compile_error(value)
            if problem is not None:
                raise ValueError(problem)
        return value


class Instructions(BaseModel):
    """Everything a Client instructs; ``webhook_secret`` is kept encrypted, apart."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    collect: list[CollectedField] = Field(min_length=1)
    retention_days: int = Field(ge=1, le=3650)
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(
        default=None,
        max_length=512,
        description=f"At least {MIN_SECRET_LENGTH} characters, e.g. `openssl rand -hex 32`.",
    )
    purposes: list[str] = Field(default_factory=lambda: ["service_provision"])
    keep_transcript: StrictBool = Field(
        default=False,
        description="Store (and forward) the redacted turns too; by default only the "
        "collected fields are kept. true or false, nothing else.",
    )

    @field_validator("webhook_secret")
    @classmethod
    def _long_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        stored = isinstance(info.context, dict) and info.context.get(STORED)
        url = info.data.get("webhook_url")
        on_this_machine = url is not None and _loopback(str(url))
        if value is not None and len(value) < MIN_SECRET_LENGTH and not (stored or on_this_machine):
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters")
        return value

    @model_validator(mode="after")
    def _secret_with_url(self) -> Instructions:
        if self.webhook_url is not None and not self.webhook_secret:
            raise ValueError("webhook_url needs a webhook_secret to sign deliveries")
        return self

    def field(self, name: str) -> CollectedField | None:
        return next((f for f in self.collect if f.field == name), None)

    def public(self) -> dict[str, object]:
        """The instructions as stored and shown: everything but the secret."""
        return self.model_dump(mode="json", exclude={"webhook_secret"})


def check_instructions(
    instructions: Instructions, policy: Policy, locate: Callable[[Loc], str] | None = None
) -> list[Problem]:
    """Checks that need the policy: duplicate fields, purposes Service Data may serve."""
    where = locate or (lambda loc: ".".join(str(p) for p in loc))
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, item in enumerate(instructions.collect):
        if item.field in seen:
            problems.append(
                Problem(
                    location=where(("collect", position, "field")),
                    message=f"duplicate field {item.field!r}",
                )
            )
        seen.add(item.field)
    allowed = _service_purposes(policy)
    for position, purpose in enumerate(instructions.purposes):
        if purpose not in allowed:
            message = f"purpose {purpose!r} is not declared for Service Data in the policy"
            problems.append(Problem(location=where(("purposes", position)), message=message))
    return problems


def _service_purposes(policy: Policy) -> set[str]:
    return {p for c in policy.categories if c.role == "processor" for p in c.purposes}


def load_instructions(
    path: str | Path, policy: Policy
) -> tuple[Instructions | None, list[Problem]]:
    """Load and check an instructions file; the model is None whenever there is a problem."""
    model, problems, locate = load_yaml_model(path, Instructions)
    if model is None:
        return None, problems
    problems = check_instructions(model, policy, locate)
    return (None, problems) if problems else (model, [])


def checked_instructions(
    instructions: Instructions, policy: Policy, *, prefix: str
) -> Instructions:
    """Instructions sent over HTTP, checked against the policy.

    Raises ValidationFailed naming each bad field under ``prefix``, where the
    instructions sit in the request body, like the body's own validation errors.
    """
    problems = check_instructions(instructions, policy, lambda loc: field_name((prefix, *loc)))
    if problems:
        raise ValidationFailed(
            "the instructions are not valid", fields={p.location: p.message for p in problems}
        )
    return instructions
