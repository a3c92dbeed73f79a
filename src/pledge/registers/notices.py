"""Mailing the people a transfer or breach affected: bounded batches, resumable, once each.

The pattern of the policy-change mails (:mod:`pledge.announcements.mails`):
each batch reads the next page of people by subject id (an index range, so
every page costs the same), keeps those holding records of the affected
categories and not yet told, queues their mail through the outbox (sealed
with the person's own key, so their erasure shreds it) and records each in
``register_notices`` in the same transaction. The unique (register entry,
subject) pair means nobody is mailed twice, even by two runs at once; a crash
loses at most the batch in flight, which the next run does again. One audit
entry per batch, with counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Identity, Record, RegisterNotice, SubjectKey
from pledge.db.wakeups import Work, wake_after_commit
from pledge.delivery import Kind, MailContent, enqueue

BATCH = 200
MAX_CONFLICTS = 5
ACTIONS = {"breach": "breaches.notices_queued", "transfer": "transfers.notices_queued"}


def _holds(categories: Sequence[str]) -> ColumnElement[bool]:
    return exists().where(
        Record.subject_id == SubjectKey.subject_id, Record.category.in_(list(categories))
    )


def count_affected(session: Session, categories: Sequence[str]) -> int:
    """People Pledge still holds (key alive) with a record of any of these categories."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(SubjectKey)
            .where(SubjectKey.wrapped_key.is_not(None), _holds(categories))
        )
        or 0
    )


def count_told(session: Session, register_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RegisterNotice)
            .where(RegisterNotice.register_id == register_id)
        )
        or 0
    )


def send_notices(
    pledge: Pledge,
    *,
    register: str,
    register_id: str,
    categories: Sequence[str],
    mail: dict[str, Any],
    template: str,
    batch: int = BATCH,
) -> int:
    """Queue ``mail`` to everyone affected not told yet; returns how many this call queued."""
    queued, after, conflicts = 0, "", 0
    while True:
        page = _page(pledge, categories, after, batch)
        if not page:
            return queued
        try:
            queued += _queue(pledge, register, register_id, page, mail, template)
        except IntegrityError:
            conflicts += 1  # another run told some of them first: read this page again
            if conflicts > MAX_CONFLICTS:
                raise
            continue
        after = page[-1][0]


def _page(
    pledge: Pledge, categories: Sequence[str], after: str, size: int
) -> list[tuple[str, bytes]]:
    with pledge.sessions() as session:
        rows = session.execute(
            select(SubjectKey.subject_id, SubjectKey.wrapped_key)
            .where(
                SubjectKey.subject_id > after,
                SubjectKey.wrapped_key.is_not(None),
                _holds(categories),
            )
            .order_by(SubjectKey.subject_id)
            .limit(size)
        ).all()
    return [(subject_id, wrapped) for subject_id, wrapped in rows if wrapped is not None]


def _queue(
    pledge: Pledge,
    register: str,
    register_id: str,
    page: Sequence[tuple[str, bytes]],
    mail: dict[str, Any],
    template: str,
) -> int:
    keys, now = pledge.keys, utcnow()
    wrapped = dict(page)
    told = 0
    with pledge.transaction() as session:
        done = set(
            session.scalars(
                select(RegisterNotice.subject_id).where(
                    RegisterNotice.register_id == register_id,
                    RegisterNotice.subject_id.in_(wrapped),
                )
            )
        )
        addresses = session.execute(
            select(Identity.subject_id, Identity.id, Identity.ciphertext)
            .where(Identity.kind == "email", Identity.subject_id.in_(wrapped))
            .order_by(Identity.subject_id, Identity.id)
        ).all()
        for subject_id, identity_id, blob in addresses:
            if subject_id in done:
                continue
            done.add(subject_id)  # one mail per person, to their first address
            data_key = keys.unwrap(wrapped[subject_id], subject_id)
            address = str(keys.decrypt_json(data_key, blob, f"identity:{identity_id}"))
            delivery = enqueue(
                session,
                keys,
                kind=Kind.EMAIL,
                template=template,
                content=MailContent(to=address, **mail).to_json(),
                subject_id=subject_id,
                data_key=data_key,
                recipient_index=keys.blind_index("email", address),
                now=now,
            )
            session.add(
                RegisterNotice(
                    register=register,
                    register_id=register_id,
                    subject_id=subject_id,
                    delivery_id=delivery.id,
                    queued_at=now,
                )
            )
            told += 1
        if told:
            audit.append(
                session,
                action=ACTIONS[register],
                actor="system",
                object_type=register,
                object_id=register_id,
                details={"mails": told},
            )
            wake_after_commit(session, Work.DELIVERY)
    return told


def drop_notices(session: Session, register_ids: Sequence[str]) -> int:
    """Forget the notice records of register entries being removed; returns how many."""
    if not register_ids:
        return 0
    rows = session.scalars(
        select(RegisterNotice).where(RegisterNotice.register_id.in_(list(register_ids)))
    ).all()
    for row in rows:
        session.delete(row)
    return len(rows)
