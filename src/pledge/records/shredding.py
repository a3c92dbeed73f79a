"""Crypto-shredding: destroying a subject's key makes all their data unreadable.

Erasure (a later rights request, a retention job) relies on this: ciphertexts
may survive in backups, replicas or rows a legal hold keeps, but without the
key none of it can be read. The blind indexes go too, since they would still
link the person to the rows, and so do the subject's ``marketing_reach`` rows
(the e-mail blind index with consent states); a hashed suppression, kept by
the erasure itself, is what stops marketing from then on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.db.base import utcnow
from pledge.db.models import Identity, MarketingReach, Subject, SubjectKey
from pledge.errors import NotFound
from pledge.journal import note_erasure


def destroy_subject_key(session: Session, subject_id: str, *, actor: str, reason: str) -> None:
    """Destroy the key and identities of one subject, in the caller's transaction."""
    if session.scalar(select(Subject.id).where(Subject.id == subject_id)) is None:
        raise NotFound("no such subject")
    now = utcnow()
    session.execute(
        update(SubjectKey)
        .where(SubjectKey.subject_id == subject_id)
        .values(wrapped_key=None, destroyed_at=now)
    )
    session.execute(delete(Identity).where(Identity.subject_id == subject_id))
    session.execute(delete(MarketingReach).where(MarketingReach.subject_id == subject_id))
    session.execute(update(Subject).where(Subject.id == subject_id).values(erased_at=now))
    note_erasure(session, subject_id, now)
    audit.append(
        session,
        action="subject.key_destroyed",
        actor=actor,
        object_type="subject",
        object_id=subject_id,
        subject_id=subject_id,
        details={"reason": reason},
    )


def destroy_subject_keys(session: Session, subject_ids: list[str], *, now: datetime) -> int:
    """Shred many subjects at once (the retention run); returns the identities deleted.

    The same effect as :func:`destroy_subject_key` per subject, in four
    statements for the whole list. The caller audits the batch with counts:
    a retention run records how many were shredded, never who.
    """
    if not subject_ids:
        return 0
    session.execute(
        update(SubjectKey)
        .where(SubjectKey.subject_id.in_(subject_ids))
        .values(wrapped_key=None, destroyed_at=now)
        .execution_options(synchronize_session=False)
    )
    gone = session.execute(delete(Identity).where(Identity.subject_id.in_(subject_ids)))
    session.execute(delete(MarketingReach).where(MarketingReach.subject_id.in_(subject_ids)))
    session.execute(
        update(Subject)
        .where(Subject.id.in_(subject_ids))
        .values(erased_at=now)
        .execution_options(synchronize_session=False)
    )
    for subject_id in subject_ids:  # a restored backup must forget them too
        note_erasure(session, subject_id, now)
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]
