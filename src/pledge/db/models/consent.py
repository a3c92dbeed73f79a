"""Consent: the append-only ledger, its derived current state, cookie choices, do-not-call.

The ledger (``consent_events``) is the proof: rows are only ever inserted.
``consent_states`` is a projection of it (the latest event per subject,
purpose and channel) kept in the same transaction, so the marketing filter
can read one row per person instead of replaying history; it can always be
rebuilt from the events. Evidence that could identify a person (truncated
IP, user agent, the form used) is encrypted under the subject's own key, so
the subject's erasure (crypto-shredding) makes it unreadable everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class ConsentEvent(Base):
    """One consent given or withdrawn, exactly as it happened; never updated."""

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_subject_recorded", "subject_id", "recorded_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(String(36))
    """The pseudonymous subject (found or created by e-mail blind index)."""
    purpose: Mapped[str] = mapped_column(String(64))
    """A purpose id of the policy in force."""
    channel: Mapped[str] = mapped_column(String(32))
    """email, post, phone, a cookie category, or ``any`` for a purpose without channels."""
    granted: Mapped[bool] = mapped_column(Boolean)
    """True when consent was given, False when it was withdrawn (or the person opted out)."""
    method: Mapped[str] = mapped_column(String(32))
    """web_form, banner, api, unsubscribe_link, staff, gpc or email_confirmation."""
    jurisdiction: Mapped[str] = mapped_column(String(32))
    """Policy jurisdiction of the person at the time; decides opt-in or opt-out rules."""
    policy_version: Mapped[str] = mapped_column(String(64))
    policy_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the policy text in force, as stored in ``policy_versions``."""
    text_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the wording the person was shown (the purpose text when none was given)."""
    actor: Mapped[str] = mapped_column(String(128))
    """Who recorded it: an API key, ``subject`` (link or page) or a staff account."""
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """AES-GCM under the subject key: time given, truncated IP, user agent, form."""


class ConsentState(Base):
    """The latest event per subject, purpose and channel: a projection of the ledger."""

    __tablename__ = "consent_states"
    __table_args__ = (
        UniqueConstraint("subject_id", "purpose", "channel", name="uq_consent_states_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(36))
    """The ledger event this state comes from."""
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When that event happened; a state only moves forward in time."""


class CookieConsent(Base):
    """One visitor's cookie choice from the banner (or a GPC/DNT signal); never updated.

    Visitors are anonymous: the id is random, made by the browser, and says
    nothing about the person; the IP is truncated before it is stored.
    """

    __tablename__ = "cookie_consents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    visitor_id: Mapped[str] = mapped_column(String(64), index=True)
    """Random id kept in the ``pledge_consent`` cookie."""
    banner_version: Mapped[str] = mapped_column(String(64))
    """Hash of the policy's cookie section the banner showed."""
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    """``{"categories": {id: bool}, "services": {id: bool}}``."""
    method: Mapped[str] = mapped_column(String(16))
    """banner, gpc or dnt."""
    ip_truncated: Mapped[str | None] = mapped_column(String(64), default=None)
    """IPv4 /24 or IPv6 /48 network, never the full address."""
    user_agent: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    """Indexed: the retention run finds the rows past their keep by it."""


class DoNotCall(Base):
    """The company's do-not-call list, applied to the phone channel; kept as blind indexes."""

    __tablename__ = "do_not_call"
    __table_args__ = (UniqueConstraint("kind", "blind_index", name="uq_do_not_call_entry"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    """phone (E.164 blind index) or email (the person's e-mail blind index)."""
    blind_index: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    """Where the entry came from: api, staff, a national list import..."""
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MarketingReach(Base):
    """Per e-mail blind index and marketing purpose: what the send-list filter needs, in one row.

    A projection of ``subjects`` and ``consent_states`` keyed by the 32-byte
    e-mail blind index (the same HMAC as ``identities.blind_index``, as bytes),
    so that filtering a million addresses is one hash join on short binary
    keys instead of three joins on 36-character ids. Written by the ledger in
    the transaction of every consent event and recomputed from ``consent_states``
    (never edited by hand); :func:`pledge.consent.rebuild_states` rebuilds it.
    Every subject with an e-mail gets its rows when it is created (with no
    states yet), and erasure deletes them, so for a covered purpose
    (:class:`MarketingReachCoverage`) an address without a row is unknown.
    Holds no e-mail, only the blind index.
    """

    __tablename__ = "marketing_reach"
    # Erasure deletes a subject's rows, and the coverage backfill looks for them, by subject.
    __table_args__ = (Index("ix_marketing_reach_subject_id", "subject_id"),)

    email_index: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    """A marketing purpose of the policy."""
    subject_id: Mapped[str] = mapped_column(String(36))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    """The subject's jurisdiction (decides the opt-in rule)."""
    email_granted: Mapped[bool | None] = mapped_column(Boolean, default=None)
    email_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    post_granted: Mapped[bool | None] = mapped_column(Boolean, default=None)
    post_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    phone_granted: Mapped[bool | None] = mapped_column(Boolean, default=None)
    phone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """The latest ledger state per channel (None when there is none) and when it was given."""


class MarketingReachCoverage(Base):
    """Marketing purposes for which ``marketing_reach`` holds a row for every e-mail subject.

    Once a purpose is covered, a send-list address with no reach row is a
    stranger: the filter needs no second look-up among ``identities``. New
    subjects get their rows when they are created; a purpose new to the
    policy is covered by one backfill (:func:`pledge.consent.ledger.coverage.ensure_coverage`).
    """

    __tablename__ = "marketing_reach_coverage"

    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    covered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
