"""Shapes of consent, marketing and cookie input, shared by the API and the library."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pledge.records.schemas import SubjectIn

Method = Literal["web_form", "banner", "api", "unsubscribe_link", "staff", "gpc"]
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


class CookieChoiceIn(_In):
    """``POST /api/v1/cookie-consent``: a visitor's choice from the banner."""

    visitor_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    version: str = Field(pattern=r"^[0-9a-f]{16,64}$")
    categories: dict[str, bool]
    services: dict[str, bool] = Field(default_factory=dict)
    method: Literal["banner", "gpc", "dnt"] = "banner"
