"""Shapes of consent, marketing and cookie input, shared by the API and the library."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pledge.records.schemas import SubjectIn

Method = Literal[
    "web_form", "banner", "api", "unsubscribe_link", "staff", "gpc", "email_confirmation"
]
"""How a consent was given or withdrawn; shown in the history as proof."""

Channel = Literal["email", "post", "phone"]
"""Marketing channels a purpose of the policy may use."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvidenceIn(_In):
    """What the caller saw of the person's act; the IP is truncated before storage."""

    at: datetime | None = None
    """When the person acted, if earlier than the call (e.g. a paper form)."""
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, max_length=20_000)
    """The wording shown to the person; only its SHA-256 is kept."""
    text_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    form: str | None = Field(default=None, max_length=128)
    """Which form or page it came from (``newsletter_footer``)."""


class ConsentIn(_In):
    """``POST /api/v1/consents``: one consent given or withdrawn."""

    subject: SubjectIn
    purpose: str = Field(min_length=1, max_length=64)
    channel: str | None = Field(default=None, max_length=32)
    """One channel; omitted means every channel of the purpose."""
    granted: bool
    method: Method
    evidence: EvidenceIn | None = None


class EmailQueryIn(_In):
    """``POST /api/v1/consents/query``: the e-mail in the body, out of URLs and logs."""

    email: str = Field(min_length=3, max_length=320)


class FilterIn(_In):
    """``POST /api/v1/marketing/filter``."""

    channel: Channel
    recipients: list[str]
    """Checked against ``PLEDGE_MAX_SEND_LIST`` by the route (413 beyond it)."""
    purpose: str | None = Field(default=None, max_length=64)
    """The marketing purpose; may be omitted when the policy has only one."""


class DoNotCallIn(_In):
    """``POST /api/v1/marketing/do-not-call``: a phone number (or a person's e-mail)."""

    phone: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    """Country for reading a national phone number; not needed in +E.164 form."""
    email: str | None = Field(default=None, min_length=3, max_length=320)
    source: str = Field(default="api", max_length=64)


class SendIn(_In):
    """``POST /api/v1/marketing/send``: one marketing e-mail, checked and footed."""

    to: str = Field(min_length=3, max_length=320)
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=100_000)
    purpose: str | None = Field(default=None, max_length=64)
    language: str | None = Field(
        default=None, max_length=35, pattern=r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$"
    )
    """The language of ``body`` (a BCP 47 tag): the footer Pledge adds is written in it
    where Pledge has that language, else in English."""


class CookieChoiceIn(_In):
    """``POST /api/v1/cookie-consent``: a visitor's choice from the banner."""

    visitor_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    version: str = Field(pattern=r"^[0-9a-f]{16,64}$")
    categories: dict[str, bool]
    services: dict[str, bool] = Field(default_factory=dict)
    method: Literal["banner", "gpc", "dnt"] = "banner"


class PreferencesForm(BaseModel):
    """``POST /u/{token}/preferences``: the boxes ticked, each ``purpose:channel``."""

    receive: list[str] = Field(default_factory=list)


class OneClickForm(BaseModel):
    """``POST /u/{token}``: what RFC 8058 mail clients send; any body is accepted."""

    list_unsubscribe: Literal["One-Click"] | None = Field(default=None, alias="List-Unsubscribe")


def openapi_body(
    model: type[BaseModel], *, media_type: str = "application/json", required: bool = True
) -> dict[str, Any]:
    """``openapi_extra`` declaring the body of a route that reads the body itself.

    The busiest routes parse their raw body in one pass instead of through a
    FastAPI body parameter; this keeps ``/api/openapi.json`` describing it.
    The schema is inlined (its ``$defs`` resolved), so it needs no component.
    """
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": required,
            "content": {media_type: {"schema": _inlined(schema, definitions)}},
        }
    }


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/X"}`` replaced by X (these models do not recurse)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inlined(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(item, definitions) for item in node]
    return node
