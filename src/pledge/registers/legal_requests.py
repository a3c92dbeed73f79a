"""The register of requests from public authorities, and what each made Pledge disclose.

Why a register: the policy promises disclosure to public authorities only on
lawful request. Each entry says who asked (the authority and its reference),
on which legal basis, for what (the scope, sealed: it may name people), when
it arrived and was answered, which policy categories were disclosed, about
whom, and whether the people may be told and from when.

The people concerned are given by e-mail and found through the blind index;
the register keeps only their pseudonymous subject ids. Each of them gets an
entry in the per-person disclosure log (recipient: the policy's
public-authority recipient), so their access package and their "disclosures"
answer show it; while the authority forbids telling them, the entry is
withheld from both (``disclosures.withheld_until``) until the day it allows.
Everything is checked before anything is written: an unknown person or a
category the policy does not give to authorities is a 422 naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import Field, model_validator
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.models import Disclosure, LegalRequest, LegalRequestSubject
from pledge.db.models.rights import WITHHELD_FOREVER
from pledge.errors import NotFound, ValidationFailed
from pledge.policy import Policy
from pledge.policy.schema import Recipient
from pledge.records.service import find_subject_id
from pledge.registers.common import (
    MAX_SHOWN,
    Basis,
    Email,
    Name,
    Prose,
    Strict,
    audit_shown,
    check_categories,
    matches,
    midnight,
    refuse,
    to_csv,
)

NOT_WRITTEN = "the legal request was not recorded"
REGISTER = "legal_request"
SCOPE = "legal_request_scope"
"""What a read entry says was shown: the sealed scope and the people concerned."""
FALLBACK_PURPOSE = "legal_disclosure"


class LegalRequestIn(Strict):
    """A request from a public authority, as the API, the console and the CLI take it."""

    authority: Name
    reference: Name
    legal_basis: Basis
    scope: Prose = Field(description="What was asked for; sealed, since it may name people.")
    received_on: date
    answered_on: date | None = None
    emails: list[Email] = Field(min_length=1, max_length=500)
    """The people concerned; kept only as pseudonymous subject ids."""
    categories: list[str] = Field(min_length=1, max_length=50)
    """Policy category ids disclosed."""
    notify_allowed: bool = True
    notify_after: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> LegalRequestIn:
        problems: dict[str, str] = {}
        if self.answered_on is not None and self.answered_on < self.received_on:
            problems["answered_on"] = "must not be before received_on"
        if self.notify_after is not None and not self.notify_allowed:
            problems["notify_after"] = "a date to tell the people needs notify_allowed"
        refuse(NOT_WRITTEN, problems)
        return self


class NoticeIn(Strict):
    """Whether the people concerned may now be told, and from when."""

    notify_allowed: bool
    notify_after: date | None = None

    @model_validator(mode="after")
    def _date(self) -> NoticeIn:
        if self.notify_after is not None and not self.notify_allowed:
            refuse(NOT_WRITTEN, {"notify_after": "a date to tell the people needs notify_allowed"})
        return self


@dataclass(frozen=True)
class LegalRequestView:
    """One entry as staff read it: the scope opened, the people as a count of subject ids."""

    id: str
    authority: str
    reference: str
    legal_basis: str
    scope: str
    received_at: datetime
    answered_at: datetime | None
    categories: tuple[str, ...]
    notify_allowed: bool
    notify_after: datetime | None
    subject_ids: tuple[str, ...]
    created_by: str
    created_at: datetime

    @property
    def people(self) -> int:
        return len(self.subject_ids)


def authority_recipient(policy: Policy) -> Recipient | None:
    """The policy's recipient of kind ``public_authority``: whom the disclosure log names."""
    return next((r for r in policy.recipients if r.kind == "public_authority"), None)


def create_legal_request(pledge: Pledge, body: LegalRequestIn, *, actor: str) -> LegalRequestView:
    """Record the request and a disclosure-log entry per person, audited, in one transaction."""
    recipient = authority_recipient(pledge.policy)
    if recipient is None:
        raise ValidationFailed(
            NOT_WRITTEN, fields={"categories": "the policy names no public-authority recipient"}
        )
    refuse(
        NOT_WRITTEN, check_categories(pledge.policy, body.categories, allowed=recipient.categories)
    )
    purpose = recipient.purposes[0] if recipient.purposes else FALLBACK_PURPOSE
    request_id = new_id()
    with pledge.transaction() as session:
        subject_ids = _subjects(session, pledge.keys, body.emails)
        row = LegalRequest(
            id=request_id,
            authority=body.authority,
            reference=body.reference,
            legal_basis=body.legal_basis,
            scope_ciphertext=pledge.keys.encrypt_system(body.scope, _aad(request_id)),
            received_at=midnight(body.received_on),
            answered_at=midnight(body.answered_on),
            categories=sorted(set(body.categories)),
            notify_allowed=body.notify_allowed,
            notify_after=midnight(body.notify_after),
            created_by=actor,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        at = row.answered_at or row.received_at
        for subject_id in subject_ids:
            _disclose(session, row, subject_id, recipient.id, purpose, at, actor)
        audit.append(
            session,
            action="legal_requests.created",
            actor=actor,
            object_type="legal_request",
            object_id=request_id,
            details={"people": len(subject_ids), "categories": row.categories},
        )
        return view(pledge.keys, row, tuple(subject_ids))


def _subjects(session: Session, keys: KeyManager, emails: list[str]) -> list[str]:
    """Each person's subject id, in order and once each; 422 naming each unknown address."""
    found: list[str] = []
    problems: dict[str, str] = {}
    for position, email in enumerate(emails):
        subject_id = find_subject_id(session, keys, email)
        if subject_id is None:
            problems[f"emails[{position}]"] = "no data is held about this person"
        elif subject_id not in found:
            found.append(subject_id)
    refuse(NOT_WRITTEN, problems)
    return found


def _disclose(
    session: Session,
    row: LegalRequest,
    subject_id: str,
    recipient_id: str,
    purpose: str,
    at: datetime,
    actor: str,
) -> None:
    disclosure = Disclosure(
        id=new_id(),
        subject_id=subject_id,
        recipient_id=recipient_id,
        categories=list(row.categories),
        purpose=purpose,
        at=at,
        actor=actor,
        withheld_until=withheld_until(row.notify_allowed, row.notify_after),
    )
    session.add(disclosure)
    session.add(
        LegalRequestSubject(
            legal_request_id=row.id, subject_id=subject_id, disclosure_id=disclosure.id
        )
    )
    audit.append(
        session,
        action="disclosures.recorded",
        actor=actor,
        object_type="disclosure",
        object_id=disclosure.id,
        subject_id=subject_id,
        details={"recipient": recipient_id, "legal_request": row.id},
    )


def withheld_until(notify_allowed: bool, notify_after: datetime | None) -> datetime | None:
    """Until when the person's disclosure log hides the entry: never told, a date, or not."""
    if not notify_allowed:
        return WITHHELD_FOREVER
    return notify_after


def set_notice(pledge: Pledge, request_id: str, body: NoticeIn, *, actor: str) -> LegalRequestView:
    """Change whether (and from when) the people may be told; their log entries follow."""
    with pledge.transaction() as session:
        row = _get(session, request_id)
        row.notify_allowed = body.notify_allowed
        row.notify_after = midnight(body.notify_after)
        links = _links(session, row.id)
        session.execute(
            update(Disclosure)
            .where(Disclosure.id.in_([link.disclosure_id for link in links]))
            .values(withheld_until=withheld_until(row.notify_allowed, row.notify_after))
        )
        audit.append(
            session,
            action="legal_requests.notice_changed",
            actor=actor,
            object_type="legal_request",
            object_id=row.id,
            details={"notify_allowed": row.notify_allowed, "dated": row.notify_after is not None},
        )
        return view(pledge.keys, row, tuple(link.subject_id for link in links))


def list_legal_requests(
    pledge: Pledge, *, search: str = "", reader: str | None = None, form: str = "page"
) -> list[LegalRequestView]:
    """The newest entries first; ``search`` keeps those whose texts hold every word of it;
    shown to ``reader`` (one audit entry)."""
    with pledge.sessions() as session:
        rows = session.scalars(
            select(LegalRequest).order_by(LegalRequest.received_at.desc()).limit(MAX_SHOWN)
        ).all()
        people = _people(session, [row.id for row in rows])
        views = [view(pledge.keys, row, people.get(row.id, ())) for row in rows]
    found = [v for v in views if not search or _found(v, search)]
    audit_shown(pledge, reader, REGISTER, "list", SCOPE, entries=len(found), form=form)
    return found


def get_legal_request(
    pledge: Pledge, request_id: str, *, reader: str | None = None, form: str = "page"
) -> LegalRequestView:
    """The entry, its scope decrypted; shown to ``reader`` (one audit entry), or to the service."""
    with pledge.sessions() as session:
        row = _get(session, request_id)
        subject_ids = tuple(link.subject_id for link in _links(session, row.id))
        found = view(pledge.keys, row, subject_ids)
    audit_shown(pledge, reader, REGISTER, found.id, SCOPE, entries=1, form=form)
    return found


def count_legal_requests(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(LegalRequest)) or 0)


def _found(item: LegalRequestView, search: str) -> bool:
    return matches(
        search, item.authority, item.reference, item.legal_basis, item.scope, *item.categories
    )


def _get(session: Session, request_id: str) -> LegalRequest:
    row = session.get(LegalRequest, request_id[:36])
    if row is None:
        raise NotFound("no legal request has this id")
    return row


def _links(session: Session, request_id: str) -> list[LegalRequestSubject]:
    return list(
        session.scalars(
            select(LegalRequestSubject)
            .where(LegalRequestSubject.legal_request_id == request_id)
            .order_by(LegalRequestSubject.subject_id)
        )
    )


def _people(session: Session, request_ids: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    if request_ids:
        rows = session.execute(
            select(LegalRequestSubject.legal_request_id, LegalRequestSubject.subject_id).where(
                LegalRequestSubject.legal_request_id.in_(request_ids)
            )
        ).all()
        for request_id, subject_id in rows:
            found.setdefault(request_id, []).append(subject_id)
    return {key: tuple(sorted(value)) for key, value in found.items()}


def _aad(request_id: str) -> str:
    return f"legal_request:{request_id}"


def view(keys: KeyManager, row: LegalRequest, subject_ids: tuple[str, ...]) -> LegalRequestView:
    return LegalRequestView(
        id=row.id,
        authority=row.authority,
        reference=row.reference,
        legal_basis=row.legal_basis,
        scope=str(keys.decrypt_system(row.scope_ciphertext, _aad(row.id))),
        received_at=row.received_at,
        answered_at=row.answered_at,
        categories=tuple(row.categories),
        notify_allowed=row.notify_allowed,
        notify_after=row.notify_after,
        subject_ids=subject_ids,
        created_by=row.created_by,
        created_at=row.created_at,
    )


CSV_HEADER = (
    "id",
    "authority",
    "reference",
    "legal_basis",
    "scope",
    "received",
    "answered",
    "categories_disclosed",
    "people",
    "notify_allowed",
    "notify_after",
    "recorded_by",
    "recorded_at",
)


def legal_requests_csv(items: list[LegalRequestView]) -> str:
    """The register as CSV: one row per request, people as a count (never who)."""
    return to_csv(
        CSV_HEADER,
        (
            (
                i.id,
                i.authority,
                i.reference,
                i.legal_basis,
                i.scope,
                i.received_at,
                i.answered_at,
                list(i.categories),
                i.people,
                i.notify_allowed,
                i.notify_after,
                i.created_by,
                i.created_at,
            )
            for i in items
        ),
    )


__all__ = [
    "LegalRequestIn",
    "LegalRequestView",
    "NoticeIn",
    "create_legal_request",
    "get_legal_request",
    "legal_requests_csv",
    "list_legal_requests",
    "set_notice",
]
