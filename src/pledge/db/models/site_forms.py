"""Site-form answers that wait for the person to confirm them from their mailbox.

Anyone can type anyone's e-mail address into a public form. A consent given
there, and a submission that may only be kept with consent (an EU newsletter
sign-up), are therefore held here until the link mailed to that address is
followed: double opt-in. A row holds only ciphertext, under a key that exists
nowhere but in the mailed link, so the table reveals nothing, even to someone
who reads the database and the master key; rows past ``expires_at`` are
deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id


class FormConfirmation(Base):
    """One submission's answers, waiting for the mailed link (single use)."""

    __tablename__ = "form_confirmations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    form_id: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), index=True)
