"""Whether an e-mail address may receive marketing, from the hashed suppression list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.crypto import KeyManager
from pledge.db.models import MarketingSuppression


def is_suppressed(session: Session, keys: KeyManager, email: str) -> str | None:
    """The reason this address must not be mailed marketing, or None.

    For the marketing filter and list imports: an erased or opted-out person
    is never added back, though Pledge no longer knows their address.
    """
    reason: str | None = session.scalar(
        select(MarketingSuppression.reason)
        .where(MarketingSuppression.email_index == keys.blind_index("email", email))
        .order_by(MarketingSuppression.created_at)
        .limit(1)
    )
    return reason
