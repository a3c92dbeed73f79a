"""Queue mail in the caller's transaction, and read it back.

Why an outbox rather than sending straight away: a mail that announces a
change (a verification code, a request acknowledgement) must exist exactly
when the change exists. Writing it in the same transaction means a rollback
drops both, a commit keeps both, and an SMTP server that is down only delays
the mail. Mail is one kind of delivery of :mod:`pledge.delivery`, which
encrypts the payload (it holds addresses and one-time codes) and sends it.

Which key seals a mail, and so how long it can be read, depends on whom it is
to (:mod:`pledge.delivery.sealing`; :mod:`pledge.mail.forget` for erasure):

- **Mail about a person Pledge holds data on** (``subject_id`` given and their
  key alive: marketing, a verified request's acknowledgement and answer) is
  sealed with that person's key. It is kept once sent, so ``pledge outbox list``
  can show where it went, and their erasure shreds every copy with the key.
- **Every other mail** (a code mail before anything is held, mail to an
  authorized agent, the answer to an erasure, queued after the key is gone) has
  no key of its own to be shredded with, so it is sealed with the system key
  only while it waits: once delivered its address and body are purged, and the
  row keeps the template, dates, status and ``recipient_index``, the address's
  keyed hash (the one the suppression list keeps), never the address.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.crypto import KeyManager
from pledge.db.models import Delivery
from pledge.delivery import (
    Kind,
    MailContent,
    Status,
    cancel,
    enqueue,
    read_payload,
    subject_data_keys,
)


def queue_mail(
    session: Session,
    keys: KeyManager,
    *,
    to: str,
    subject: str,
    body: str,
    template: str,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    subject_id: str | None = None,
) -> Delivery:
    """Add an encrypted mail and its ``mail.queued`` audit entry; the caller commits.

    ``template`` names what the mail is (``verification_code``...) and is the
    only thing about it that appears in logs and the audit trail. After the
    commit the job runners are woken, so it goes out promptly. Sealed with the
    key of ``subject_id`` while it lives, else with the system key (see above).
    """
    content = MailContent(to=to, subject=subject, body=body, html=html, headers=headers or {})
    data_key = None
    if subject_id is not None:
        data_key = subject_data_keys(session, keys, [subject_id]).get(subject_id)
    message = enqueue(
        session,
        keys,
        kind=Kind.EMAIL,
        template=template,
        content=content.to_json(),
        subject_id=subject_id,
        data_key=data_key,
        recipient_index=keys.blind_index("email", to),
    )
    audit.append(
        session,
        action="mail.queued",
        actor="system",
        object_type="outbox",
        object_id=message.id,
        subject_id=subject_id,
        details={"template": template},
    )
    return message


MARKETING = "marketing:"
"""Prefix of a marketing mail's template; the purpose id follows."""


def marketing_template(purpose_id: str) -> str:
    """The template name of marketing mail for ``purpose_id``."""
    return f"{MARKETING}{purpose_id}"


def withdraw_marketing_mail(
    session: Session, subject_id: str, purposes: Collection[str] | None = None
) -> int:
    """Cancel the person's marketing mail not yet sent, for these purposes or all.

    Called in the transaction that records an opt-out, objection, withdrawal
    or erasure: mail queued before it (while the SMTP server was down, say)
    must not go out after it. Returns how many were cancelled.
    """
    templates = (
        Delivery.template.in_([marketing_template(p) for p in purposes])
        if purposes is not None
        else Delivery.template.startswith(MARKETING, autoescape=True)
    )
    ids = session.scalars(
        select(Delivery.id).where(
            Delivery.kind == Kind.EMAIL,
            Delivery.subject_id == subject_id,
            Delivery.status.in_([Status.PENDING, Status.DEAD]),
            templates,
        )
    ).all()
    return cancel(session, ids)


def read_mail(keys: KeyManager, message: Delivery, session: Session | None = None) -> MailContent:
    """Decrypt a queued message; raises ``DecryptionFailed`` under another master key and
    ``Shredded`` once its person is erased (a person's mail is read in a session)."""
    return MailContent.from_json(read_payload(keys, message, session))
