"""The site's visitor log data: one row per page view, and the aggregates that outlive them.

A page view holds no IP address, no cookie id and no user-agent string: the
country the address resolved to, the browser and OS families, the device class,
the few browser settings the policy names, and a visitor pseudonym valid for
one UTC day only (a keyed hash of the address and user agent under that day's
random salt, ``site_salts``; the salt is deleted once its day is over, so no
one, not even Pledge, can link a visitor's pseudonyms of two days). Rows are
deleted after the policy's ``log_data.retention``; before that, their day is
rolled up into ``site_aggregates``, which keep only groups of at least k
distinct visitors.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id


class SiteEvent(Base):
    """One page view sent by the beacon after analytics consent."""

    __tablename__ = "site_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    """The UTC day of ``occurred_at``: what aggregates group by."""
    path: Mapped[str] = mapped_column(String(300))
    landing: Mapped[bool] = mapped_column(Boolean)
    """The first page of a visit (no referrer, or one from another site): counts a visit."""
    search_engine: Mapped[str | None] = mapped_column(String(40))
    search_terms: Mapped[str | None] = mapped_column(String(200))
    forms: Mapped[list[str]] = mapped_column(JSON)
    seconds: Mapped[int] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(2))
    browser_family: Mapped[str] = mapped_column(String(64))
    browser_major: Mapped[str | None] = mapped_column(String(16))
    os_family: Mapped[str] = mapped_column(String(64))
    device_class: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(35))
    screen_class: Mapped[str | None] = mapped_column(String(16))
    do_not_track: Mapped[bool] = mapped_column(Boolean)
    visitor: Mapped[str | None] = mapped_column(String(16))
    """The day's pseudonym of the caller (16 hex characters), what distinct visitors count;
    None for page views stored before migration 0028, which no published group counts."""


class SiteAggregate(Base):
    """A day's count for one group (a page, a country...) kept after its page views went.

    Written by the retention run just before it deletes a day's page views, and only
    for groups of at least the policy's k distinct visitors: a smaller group could never
    be shown. Rows written before migration 0028 have ``visitors`` 0 and are never shown.
    """

    __tablename__ = "site_aggregates"
    __table_args__ = (UniqueConstraint("day", "dimension", "key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    day: Mapped[date] = mapped_column(Date, index=True)
    dimension: Mapped[str] = mapped_column(String(16))
    """``views``, ``visits``, ``pages``, ``countries``, ``browsers`` or ``search_terms``."""
    key: Mapped[str] = mapped_column(String(300))
    events: Mapped[int] = mapped_column(Integer)
    visitors: Mapped[int] = mapped_column(Integer, server_default="0")
    """Distinct visitor pseudonyms among the group's page views (at least k when written)."""
    seconds: Mapped[int] = mapped_column(Integer)
    """Time on page summed over the group's page views (their mean is seconds / events)."""


class SiteSalt(Base):
    """The random salt of one UTC day's visitor pseudonyms, kept only while that day lasts.

    Made by the first page view of the day; deleted by the first page view of a later
    day and by every retention run (:mod:`pledge.site_analytics.visitors`).
    """

    __tablename__ = "site_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    """32 random bytes, hex."""
