"""Shapes of request input, shared by the API, the privacy center and the CLI."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pledge.policy import request_type


class AgentIn(BaseModel):
    """An authorized agent acting for the person; ``permission`` is their signed authority."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    permission: str | None = Field(default=None, max_length=2_000_000)
    """Signed permission text, or a base64 document; required (422 without it)."""


class RequestIn(BaseModel):
    """A data subject request, as ``POST /api/v1/requests`` takes it."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, max_length=32)
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")
    region: str | None = Field(default=None, max_length=8)
    match: dict[str, str] = Field(default_factory=dict, max_length=5)
    """Further data points (``phone``, ``postcode``...) checked against what is held."""
    details: str | None = Field(default=None, max_length=10_000)
    corrections: dict[str, Any] | None = Field(default=None, max_length=50)
    """For rectification: ``{field: corrected value}``; staff review before it applies."""
    purposes: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=50)
    """For restriction, objection and withdraw_consent: the purposes (policy ids) the
    request is about; omitted, it covers every purpose the right reaches (as before)."""
    agent: AgentIn | None = None
    about: Literal["own_data", "service_data"] = "own_data"
    """``service_data`` when asking about conversations handled for a Client."""
    client: str | None = Field(default=None, max_length=200)
    """With ``service_data``: the Client's name, if the person knows it."""
    language: str | None = Field(
        default=None, max_length=35, pattern=r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$"
    )
    """The language to write to the person in (a BCP 47 tag such as ``de``); by default
    the one the request came in (``Accept-Language``), else English; see ``docs/i18n.md``."""

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        try:
            return request_type(value.strip().lower())
        except ValueError:
            raise ValueError("unknown request type") from None

    @field_validator("country", "region")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else None


class ReasonIn(BaseModel):
    """A reason staff give for an extension or a denial; shown to the person."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32)


class LiftIn(BaseModel):
    """Staff lifting a restriction: an optional reason, mailed to the person first."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, min_length=3, max_length=2000)
