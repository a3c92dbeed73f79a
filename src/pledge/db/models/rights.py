"""Data subject requests, their timelines and their lasting effects.

A request row outlives the person's own erasure (the issue asks for 24 months
of records of requests and denials), so it never holds personal data in
clear: the e-mail and any free text are encrypted with the system key and
wiped when the request is closed by an erasure; look-ups use blind indexes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow
from pledge.db.models.audit import BigIntId


class RightsRequest(Base):
    """One request by (or for) a person to exercise a right the policy promises."""

    __tablename__ = "rights_requests"
    __table_args__ = (Index("ix_rights_requests_status_due_at", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(32))
    """access, portability, rectification, erasure, ... (``know``/``delete`` normalised)."""
    status: Mapped[str] = mapped_column(String(32))
    """See :mod:`pledge.rights.states`."""
    scope: Mapped[str] = mapped_column(String(16), default="own_data")
    """own_data, or service_data when the person asks about a Client's conversations."""
    method: Mapped[str] = mapped_column(String(16), default="web")
    """How it arrived: web, email, phone or post (the last three entered by staff)."""
    jurisdiction: Mapped[str] = mapped_column(String(32))
    """Policy jurisdiction from country and region; decides deadlines and rights."""
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(8), default=None)
    voluntary: Mapped[bool] = mapped_column(Boolean, default=False)
    """The jurisdiction's law does not grant this right; Pledge answers anyway."""
    email_index: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    """Blind index of the person's e-mail; NULL once wiped after an erasure."""
    email_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The e-mail, encrypted with the system key (needed to send the answer)."""
    private_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """System-encrypted JSON of details, corrections, agent and match blind indexes."""
    by_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    """Submitted by an authorized agent holding the person's signed permission."""
    token_hash: Mapped[str] = mapped_column(String(64))
    """HMAC of the request token; the token itself is shown once, to the requester."""
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    """HMAC of the current one-time code; NULL once used."""
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    codes_sent: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    sign_in_failures: Mapped[int] = mapped_column(Integer, default=0)
    """Wrong codes against the current sign-in code of a verified request (its page)."""
    verification: Mapped[str | None] = mapped_column(String(16), default=None)
    """email (the code), full (code and a matching data point) or categories (fallback)."""
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    """The pseudonymous subject the verified person is, when Pledge holds data about them."""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledge_by: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    extension_reason: Mapped[str | None] = mapped_column(Text, default=None)
    """Staff's reason for the extension, mailed to the person; no personal data."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When it was completed, denied or referred: the end of the response time."""
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    """whole, part or none: how far the request was complied with (for the yearly report)."""
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    """Basis of a denial or referral, or a note on a partial answer; no personal data."""
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """What fulfilment did (counts, categories, exceptions and reasons); never values."""
    copies_served: Mapped[int] = mapped_column(Integer, default=0)
    """Packages downloaded: the first is free, further copies may carry a fee."""
    package_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The package as built at fulfilment, encrypted with the subject's key (the system key
    when nothing is held); every download serves it. NULL when none was built, once it
    expired, or once the person's data was erased."""
    package_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When downloads of the package stop (``PLEDGE_PACKAGE_DAYS`` after fulfilment)."""


class RequestPageSession(Base):
    """A browser signed in to one request's page with the code: the cookie's value, hashed.

    Kept in the database rather than in a signed cookie so that a session can
    end before its time (signing out ends it even for a copied cookie), and
    dies with its request. Holds no personal data.
    """

    __tablename__ = "rights_page_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """HMAC of the cookie's random value, bound to the request id."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RequestEvent(Base):
    """One step of a request's timeline, shown to the person and to staff."""

    __tablename__ = "rights_request_events"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    """received, code_sent, verified, verification_failed, completed, denied, extended..."""
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    """A plain-language line for the timeline; never personal data."""


class MarketingSuppression(Base):
    """An e-mail that must never be added back to a mailing list, kept only as a hash."""

    __tablename__ = "marketing_suppressions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email_index: Mapped[str] = mapped_column(String(64), index=True)
    """Blind index of the e-mail (the same HMAC identities use), never the address."""
    reason: Mapped[str] = mapped_column(String(32))
    """erasure, opt_out_marketing, objection or withdraw_consent."""
    request_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecipientNotice(Base):
    """A recipient of the person's data to be told of an erasure, correction or restriction."""

    __tablename__ = "recipient_notices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[str] = mapped_column(String(64))
    """Policy recipient id."""
    action: Mapped[str] = mapped_column(String(32))
    """What to tell them: erasure, rectification or restriction."""
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    """queued (for a webhook, or for staff to send by hand) or sent."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[str | None] = mapped_column(String(64), default=None)
    """HTTP status or error class of the last webhook attempt."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class SubjectRestriction(Base):
    """A limit on what may be done with a subject's data, from a request, until lifted."""

    __tablename__ = "subject_restrictions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    """restriction, objection:<purpose>, consent_withdrawn:<purpose> or marketing_opt_out."""
    request_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


WITHHELD_FOREVER = datetime(9999, 12, 31, tzinfo=UTC)
"""A disclosure the person may not be told of until the authority allows it."""


class Disclosure(Base):
    """One transfer of a subject's data to a third party: the disclosure log.

    Written by every transfer (``POST /api/v1/disclosures``), so a
    ``disclosures`` request can say who actually received what, and when, and
    an erasure can tell each of them. It holds only the pseudonymous subject
    id and policy ids, so the rows survive the person's erasure without
    identifying them once their key and identities are gone.
    """

    __tablename__ = "disclosures"
    __table_args__ = (Index("ix_disclosures_subject_id_at", "subject_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(String(36))
    recipient_id: Mapped[str] = mapped_column(String(64))
    """Policy recipient id."""
    categories: Mapped[list[str]] = mapped_column(JSON)
    """Policy category ids shared, each one the recipient receives per the policy."""
    purpose: Mapped[str] = mapped_column(String(64))
    """Policy purpose id of the transfer."""
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    """Who reported the transfer (``api-key:<id>``...)."""
    withheld_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Hidden from the person until then: an authority may forbid telling them for a while
    (:mod:`pledge.registers.legal_requests`); :data:`WITHHELD_FOREVER` until it allows it."""
