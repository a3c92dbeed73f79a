"""Rate-limit counters shared by every server process (:mod:`pledge.access.throttle`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base


class ThrottleCounter(Base):
    """How many hits one bucket took in one fixed window.

    ``bucket`` is a keyed hash of the scope and what is counted (an IP address,
    an e-mail address, an account and an address together), never the value
    itself. Two windows per bucket make a sliding-window estimate; a row can be
    deleted once ``expires_at`` (epoch seconds) has passed.
    """

    __tablename__ = "throttle_counters"

    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    """The window's number: epoch seconds divided by the window's length."""
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
