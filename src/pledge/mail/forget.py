"""At an erasure, no mail to or about the person may stay readable.

Called in the erasure's transaction, before the person's key is destroyed.
The person's mail is found by their subject id and by their address's keyed
hash (``recipient_index``), which also finds the code mails sent before
anything was held. Then:

- mail **waiting to be sent** still goes (an acknowledgement, another
  request's answer the law still owes them), so what was sealed with the
  person's key is sealed again with the system key, which the engine drops
  once the mail is delivered (:mod:`pledge.delivery.sealing`);
- **everything else** (sent, given up, cancelled) loses its address and body
  now; a mail given up on is cancelled, since it can no longer be sent.

The rows stay, with the template, dates and status (the record that a mail
went out) and the hashed address, as the suppression list keeps it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, or_, select, update
from sqlalchemy.orm import Session

from pledge.crypto import KeyManager
from pledge.db.models import Delivery
from pledge.delivery import Kind, PayloadKey, Status, subject_data_keys, unseal
from pledge.delivery.queue import payload_aad


def forget_mail(
    session: Session, keys: KeyManager, *, subject_id: str | None, email_index: str | None
) -> int:
    """Purge or re-seal every mail to or about the person; returns how many rows changed."""
    who = []
    if subject_id is not None:
        who.append(Delivery.subject_id == subject_id)
    if email_index is not None:
        who.append(Delivery.recipient_index == email_index)
    if not who:
        return 0
    mine = [Delivery.kind == Kind.EMAIL, or_(*who), Delivery.payload.is_not(None)]
    changed = _reseal_waiting(session, keys, subject_id, mine)
    result = session.execute(
        update(Delivery)
        .where(*mine, Delivery.status != Status.PENDING)
        .values(
            payload=None,
            payload_key=PayloadKey.SYSTEM,
            status=case(
                (Delivery.status == Status.DEAD, Status.CANCELLED.value), else_=Delivery.status
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return changed + int(getattr(result, "rowcount", 0) or 0)


def _reseal_waiting(
    session: Session, keys: KeyManager, subject_id: str | None, mine: list[ColumnElement[bool]]
) -> int:
    """Pending mail sealed with the person's key, sealed again with the system key."""
    if subject_id is None:
        return 0
    rows = session.execute(
        select(Delivery.id, Delivery.payload, Delivery.subject_id).where(
            *mine,
            Delivery.status == Status.PENDING,
            Delivery.payload_key == PayloadKey.SUBJECT,
        )
    ).all()
    if not rows:
        return 0
    data_keys = subject_data_keys(session, keys, {row.subject_id for row in rows})
    for row in rows:
        aad = payload_aad(Kind.EMAIL, row.id)
        key = data_keys.get(row.subject_id)
        payload = (
            None
            if key is None
            else keys.encrypt_system(unseal(keys, row.payload, aad, PayloadKey.SUBJECT, key), aad)
        )
        session.execute(
            update(Delivery)
            .where(Delivery.id == row.id)
            .values(payload=payload, payload_key=PayloadKey.SYSTEM)
            .execution_options(synchronize_session=False)
        )
    return len(rows)
