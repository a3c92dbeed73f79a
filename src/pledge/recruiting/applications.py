"""The applications, decrypted for the recruiting team; every showing is audited as a read.

Applications are records of :data:`CATEGORY`; what recruiting needs that is
not in their tags (the position named, the future-opportunities answer) is
inside the encrypted values, so each is decrypted under its person's key. A
person whose key is destroyed has nothing readable left and is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pledge.audit import audit_read
from pledge.crypto import KeyManager
from pledge.db.models import Disclosure, Record, SubjectKey
from pledge.errors import NotFound
from pledge.policy import Policy
from pledge.restrictions import objection

CATEGORY = "employment_application"
APPLIED = "recruitment"
"""The purpose an application is collected for."""
KEPT = "career_opportunities"
"""The purpose an application is kept for after its position closed, when the person asked."""
CHECKS = "background_checks"
KEEP_FIELD = "future_opportunities"
POSITION_FIELD = "position"


@dataclass(frozen=True)
class Application:
    """One application as the recruiting page shows it."""

    id: str
    """The record's id."""
    subject_id: str
    purpose: str
    position: str | None
    keep: bool
    """The person asked to be kept for future openings."""
    collected_at: datetime
    retain_until: datetime | None
    data: dict[str, Any]
    checked_at: datetime | None = None
    """When it was last sent for a background check."""

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "")

    @property
    def email(self) -> str:
        return str(self.data.get("email") or "")

    @property
    def resume(self) -> str | None:
        found = self.data.get("resume")
        return str(found.get("filename")) if isinstance(found, dict) else None


def _keys(session: Session, keys: KeyManager, subject_ids: Iterable[str]) -> dict[str, bytes]:
    wanted = sorted(set(subject_ids))
    rows = session.execute(
        select(SubjectKey.subject_id, SubjectKey.wrapped_key).where(
            SubjectKey.subject_id.in_(wanted), SubjectKey.wrapped_key.is_not(None)
        )
    ).all()
    return {subject_id: keys.unwrap(wrapped, subject_id) for subject_id, wrapped in rows}


def decrypt(session: Session, keys: KeyManager, rows: Sequence[Record]) -> list[Application]:
    """The readable applications among ``rows``, in their order."""
    data_keys = _keys(session, keys, (row.subject_id for row in rows))
    found = []
    for row in rows:
        key = data_keys.get(row.subject_id)
        if key is None:
            continue
        data = keys.decrypt_json(key, row.ciphertext, f"record:{row.id}")
        position = data.get(POSITION_FIELD)
        found.append(
            Application(
                id=row.id,
                subject_id=row.subject_id,
                purpose=row.purpose,
                position=str(position).strip().lower() if position else None,
                keep=data.get(KEEP_FIELD) is True,
                collected_at=row.collected_at,
                retain_until=row.retain_until,
                data=data,
            )
        )
    return found


def application_rows(session: Session, *, purpose: str | None = None) -> list[Record]:
    query = select(Record).where(Record.category == CATEGORY)
    if purpose is not None:
        query = query.where(Record.purpose == purpose)
    return list(session.scalars(query.order_by(Record.collected_at, Record.id)))


def last_checks(session: Session, subject_ids: Iterable[str]) -> dict[str, datetime]:
    """When each person's data last went to a background-check recipient."""
    wanted = sorted(set(subject_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Disclosure.subject_id, func.max(Disclosure.at))
        .where(Disclosure.subject_id.in_(wanted), Disclosure.purpose == CHECKS)
        .group_by(Disclosure.subject_id)
    ).all()
    return {str(subject_id): at for subject_id, at in rows}


def list_applications(session: Session, keys: KeyManager, *, reader: str) -> list[Application]:
    """Every readable application, oldest first, each showing audited in the caller's session."""
    found = decrypt(session, keys, application_rows(session))
    checked = last_checks(session, (a.subject_id for a in found))
    shown = []
    per_subject: dict[str, int] = defaultdict(int)
    for application in found:
        per_subject[application.subject_id] += 1
        shown.append(replace(application, checked_at=checked.get(application.subject_id)))
    for subject_id, count in sorted(per_subject.items()):
        audit_read(
            session,
            reader,
            "subject",
            subject_id,
            "applications",
            subject_id=subject_id,
            counts={"records": count},
        )
    return shown


def one_application(session: Session, keys: KeyManager, record_id: str) -> Application:
    """The application with this record id; NotFound for another record or an unreadable one."""
    row = session.get(Record, record_id)
    if row is None or row.category != CATEGORY:
        raise NotFound("no such application")
    found = decrypt(session, keys, [row])
    if not found:
        raise NotFound("no such application")
    return found[0]


def stays_for_future(kinds: set[str], policy: Policy, jurisdiction: str, keep: bool) -> bool:
    """Whether an application outlives its position: the person asked, and has not since
    objected to that purpose."""
    if not keep:
        return False
    basis = policy.legal_basis(KEPT, jurisdiction)
    return not (basis == "legitimate_interests" and objection(KEPT) in kinds)


__all__ = [
    "APPLIED",
    "CATEGORY",
    "CHECKS",
    "KEPT",
    "Application",
    "application_rows",
    "decrypt",
    "list_applications",
    "one_application",
    "stays_for_future",
]
