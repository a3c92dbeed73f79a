"""Mailing every person with a live e-mail address about a material policy change.

Why in batches of its own: a change may concern a million people. Each batch
reads the next page of people by subject id (an index range, so each page costs
the same however many came before), keeps those not yet told, queues their mail
through the outbox (the delivery engine sends it, with retries) and records
each one in ``policy_change_mails`` in the same transaction; the unique
(publication, subject) pair means nobody is mailed twice, even by two workers
at once, and a crash loses at most the batch in flight, which the next run
does again. The mails are inserted in bulk (COPY on PostgreSQL) with one audit entry per batch
(counts, never addresses).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pledge import audit, i18n
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.bulk import bulk_insert
from pledge.db.models import Delivery, Identity, PolicyChangeMail, PolicyPublication, SubjectKey
from pledge.db.wakeups import Work, wake_after_commit
from pledge.delivery.kinds import Kind
from pledge.delivery.queue import payload_aad
from pledge.delivery.sealing import seal
from pledge.delivery.smtp import MailContent
from pledge.policy import Policy

TEMPLATE = "policy_change"
MAX_CONFLICTS = 5
"""Pages read again after another runner told some of their people first, before giving up."""


def send_change_notices(pledge: Pledge, *, batch: int | None = None) -> int:
    """Queue the change mail to everyone not yet told, for every material publication.

    Returns how many mails were queued by this call. Safe to run in several
    processes at once and to run again after a crash.
    """
    size = batch or pledge.settings.policy_notice_batch
    with pledge.sessions() as session:
        pending = session.scalars(
            select(PolicyPublication.number)
            .where(PolicyPublication.material, PolicyPublication.notices_done_at.is_(None))
            .order_by(PolicyPublication.number)
        ).all()
    return sum(_notify(pledge, number, size) for number in pending)


def _notify(pledge: Pledge, number: int, size: int) -> int:
    queued = 0
    after = ""
    conflicts = 0
    while True:
        page = _subjects_after(pledge, after, size)
        if not page:
            break
        people = _untold(pledge, number, page)
        try:
            queued += _queue_batch(pledge, number, people) if people else 0
        except IntegrityError:
            conflicts += 1  # another process told some of them first: read this page again
            if conflicts > MAX_CONFLICTS:
                raise
            continue
        after = page[-1][0]
    with pledge.transaction() as session:
        session.execute(
            update(PolicyPublication)
            .where(PolicyPublication.number == number)
            .values(notices_done_at=utcnow())
        )
    return queued


def _subjects_after(pledge: Pledge, after: str, size: int) -> list[tuple[str, bytes]]:
    """The next ``size`` subjects whose key is live, by id (an index range, whatever the size)."""
    with pledge.sessions() as session:
        rows = session.execute(
            select(SubjectKey.subject_id, SubjectKey.wrapped_key)
            .where(SubjectKey.subject_id > after, SubjectKey.wrapped_key.is_not(None))
            .order_by(SubjectKey.subject_id)
            .limit(size)
        ).all()
    return [(subject_id, wrapped) for subject_id, wrapped in rows if wrapped is not None]


def _untold(
    pledge: Pledge, number: int, page: Sequence[tuple[str, bytes]]
) -> list[tuple[str, str, bytes, bytes]]:
    """(subject id, identity id, e-mail ciphertext, wrapped key) of the page's people with an
    e-mail address who were not told yet, in subject order."""
    wrapped = dict(page)
    with pledge.sessions() as session:
        told = set(
            session.scalars(
                select(PolicyChangeMail.subject_id).where(
                    PolicyChangeMail.publication == number,
                    PolicyChangeMail.subject_id.in_(wrapped),
                )
            )
        )
        rows = session.execute(
            select(Identity.subject_id, Identity.id, Identity.ciphertext)
            .where(Identity.kind == "email", Identity.subject_id.in_(wrapped))
            .order_by(Identity.subject_id, Identity.id)
        ).all()
    return [(s, i, c, wrapped[s]) for s, i, c in rows if s not in told]


def _queue_batch(
    pledge: Pledge, number: int, people: Sequence[tuple[str, str, bytes, bytes]]
) -> int:
    keys = pledge.keys
    now = utcnow()
    with pledge.sessions() as session:
        row = session.get(PolicyPublication, number)
        assert row is not None
        changes = json.loads(row.changes or "{}")
    mail = change_mail(pledge, number, changes, row.effective_from)
    deliveries: list[dict[str, Any]] = []
    told: list[dict[str, Any]] = []
    seen: set[str] = set()
    for subject_id, identity_id, ciphertext, wrapped in people:
        if subject_id in seen:
            continue  # one mail per person, to their first address
        seen.add(subject_id)
        address, data_key = _address(keys, subject_id, identity_id, ciphertext, wrapped)
        delivery_id = new_id()
        content = MailContent(to=address, **mail).to_json()
        deliveries.append(
            _delivery(
                keys, delivery_id, subject_id, content, now, address=address, data_key=data_key
            )
        )
        told.append(
            {
                "id": new_id(),
                "publication": number,
                "subject_id": subject_id,
                "delivery_id": delivery_id,
                "queued_at": now,
            }
        )
    with pledge.transaction() as session:
        # COPY on PostgreSQL: the records first, so a person told by another runner meanwhile
        # fails the batch before any of its mails is written.
        bulk_insert(session, PolicyChangeMail.__table__, told)
        bulk_insert(session, Delivery.__table__, deliveries)
        audit.append(
            session,
            action="policy.change_mails_queued",
            actor="system",
            object_type="policy_publication",
            object_id=str(number),
            details={"mails": len(told)},
        )
        wake_after_commit(session, Work.DELIVERY)
    return len(told)


def _address(
    keys: KeyManager, subject_id: str, identity_id: str, blob: bytes, wrapped: bytes
) -> tuple[str, bytes]:
    """The person's address, and their data key, which seals the mail to them."""
    data_key = keys.unwrap(wrapped, subject_id)
    return str(keys.decrypt_json(data_key, blob, f"identity:{identity_id}")), data_key


def _delivery(
    keys: KeyManager,
    delivery_id: str,
    subject_id: str,
    content: Any,
    now: datetime,
    *,
    address: str,
    data_key: bytes,
) -> dict[str, Any]:
    """A row as :func:`pledge.mail.queue_mail` writes one: sealed with the person's key, so
    their erasure shreds it (:mod:`pledge.delivery.sealing`), and found by the address's hash."""
    payload, payload_key = seal(keys, content, payload_aad(Kind.EMAIL, delivery_id), data_key)
    return {
        "id": delivery_id,
        "kind": Kind.EMAIL,
        "template": TEMPLATE,
        "target": None,
        "subject_id": subject_id,
        "payload": payload,
        "payload_key": payload_key.value,
        "recipient_index": keys.blind_index("email", address),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def change_mail(
    pledge: Pledge, number: int, changes: dict[str, Any], effective_from: datetime
) -> dict[str, Any]:
    """Subject, body and headers of the change mail (the same for everyone; no name in it).

    ``List-Unsubscribe`` names the privacy officer's address: these notices are
    owed to everyone, so asking to stop them reaches a person, not a switch.
    """
    policy = pledge.policy
    t = i18n.source_language()
    link = f"{pledge.settings.base_url.rstrip('/')}/policy/versions/{number}"
    lines = [
        t.gettext("Hello,"),
        "",
        t.gettext(
            "We have changed our privacy policy. The new version (%(number)s) is in force "
            "from %(date)s. What changes for you:",
            number=number,
            date=t.date(effective_from),
        ),
        "",
        *(f"- {line}" for line in _what_changed(t, policy, changes)),
        "",
        t.gettext("Read the new policy and every change: %(link)s", link=link),
        "",
        "-- ",
        *policy.controller.postal_address.lines(),
    ]
    officer = policy.controller.privacy_officer_email
    stop = quote("Unsubscribe: policy notices")
    return {
        "subject": t.gettext("Our privacy policy has changed"),
        "body": "\n".join(lines) + "\n",
        "headers": {
            "List-Unsubscribe": f"<mailto:{officer}?subject={stop}>",
            "List-Id": f"Policy changes <policy-changes.{_host(pledge)}>",
            "Auto-Submitted": "auto-generated",
        },
    }


def _what_changed(t: i18n.Language, policy: Policy, changes: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for purpose_id in changes.get("purposes", {}).get("added", []):
        purpose = policy.purpose(purpose_id)
        name = purpose.name if purpose else purpose_id
        out.append(t.gettext("We use personal data for a new purpose: %(name)s.", name=name))
    for recipient_id in changes.get("recipients", {}).get("added", []):
        found = next((r for r in policy.recipients if r.id == recipient_id), None)
        name = found.name if found else recipient_id
        out.append(t.gettext("We share personal data with someone new: %(name)s.", name=name))
    for category_id in changes.get("retention", {}).get("longer", []):
        category = policy.category(category_id)
        name = category.name if category else category_id
        out.append(t.gettext("We keep this data longer: %(name)s.", name=name))
    return out


def _host(pledge: Pledge) -> str:
    host = pledge.settings.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "localhost"


__all__ = ["TEMPLATE", "change_mail", "send_change_notices"]
