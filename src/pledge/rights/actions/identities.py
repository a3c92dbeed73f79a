"""A corrected e-mail or phone, carried into the identities Pledge finds the person by.

Why: a request, collection and the send-list filter find a person by the
blind index of their e-mail (``identities``, ``marketing_reach``) and check a
phone against their phone identities; records only hold copies. Correcting
the records alone left the old address finding the person and the new one
finding no one. These functions run in the fulfilment's transaction, with the
records' update, so either all of it is corrected or none.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pledge.crypto import KeyManager
from pledge.db.base import new_id
from pledge.db.models import Identity, MarketingReach, MarketingSuppression, Subject
from pledge.errors import ValidationFailed

__all__ = ["rekey_email", "rekey_phone"]


def rekey_email(
    session: Session, keys: KeyManager, subject_id: str, data_key: bytes, email: str
) -> None:
    """The subject's e-mail identity, reach rows and suppressions, now under ``email``.

    Suppressions are copied, not moved: an address that asked never to be
    mailed stays suppressed, and the new one inherits the person's wish.
    """
    new_index = keys.blind_index("email", email)
    identity = session.scalars(
        select(Identity).where(Identity.subject_id == subject_id, Identity.kind == "email")
    ).first()
    if identity is None:
        return
    old_index = identity.blind_index
    if old_index == new_index:
        return
    identity.blind_index = new_index
    identity.ciphertext = keys.encrypt_json(data_key, email, f"identity:{identity.id}")
    if old_index is None:
        return
    session.execute(
        update(MarketingReach)
        .where(
            MarketingReach.subject_id == subject_id,
            MarketingReach.email_index == bytes.fromhex(old_index),
        )
        .values(email_index=bytes.fromhex(new_index))
        .execution_options(synchronize_session=False)
    )
    _copy_suppressions(session, old_index, new_index)


def _copy_suppressions(session: Session, old_index: str, new_index: str) -> None:
    held = set(
        session.scalars(
            select(MarketingSuppression.reason).where(MarketingSuppression.email_index == new_index)
        )
    )
    for old in session.scalars(
        select(MarketingSuppression).where(MarketingSuppression.email_index == old_index)
    ).all():
        if old.reason not in held:
            held.add(old.reason)
            session.add(
                MarketingSuppression(
                    email_index=new_index,
                    reason=old.reason,
                    request_id=old.request_id,
                    created_at=old.created_at,
                )
            )


def _phone_index(keys: KeyManager, value: object, country: str | None) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return keys.blind_index("phone", value, country)
    except ValidationFailed:  # a value collection's looser check let through
        return None


def rekey_phone(
    session: Session,
    keys: KeyManager,
    subject_id: str,
    data_key: bytes,
    old_values: list[object],
    phone: str,
) -> None:
    """The phone identities that held a corrected record's old value now hold ``phone``.

    A phone identity of another number (a second line given at collection) is
    kept; when none held an old value, the new number is added, so it
    verifies the person from now on either way.
    """
    country = session.scalar(select(Subject.country).where(Subject.id == subject_id))
    new_index = _phone_index(keys, phone, country)
    if new_index is None:
        return
    old = {i for v in old_values if (i := _phone_index(keys, v, country)) is not None}
    phones = session.scalars(
        select(Identity).where(Identity.subject_id == subject_id, Identity.kind == "phone")
    ).all()
    stale = [p.id for p in phones if p.blind_index in old and p.blind_index != new_index]
    if stale:
        session.execute(delete(Identity).where(Identity.id.in_(stale)))
    if any(p.blind_index == new_index for p in phones):
        return
    row_id = new_id()
    session.add(
        Identity(
            id=row_id,
            subject_id=subject_id,
            kind="phone",
            blind_index=new_index,
            ciphertext=keys.encrypt_json(data_key, phone, f"identity:{row_id}"),
        )
    )
