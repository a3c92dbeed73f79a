"""Collection: validate against the policy, then write records and audit together.

A batch is all-or-nothing: every record is checked before the first row is
written, and everything is written in one transaction, so a bad record in a
bulk import leaves nothing half-stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge.audit.chain import audit_row
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.bulk import bulk_insert
from pledge.db.models import AuditEntry, Identity, Record, SubjectKey
from pledge.errors import Conflict, ValidationFailed
from pledge.policy import Policy
from pledge.records.consent_gate import CONSENT, refuse_without_consent
from pledge.records.schemas import HeldRecord, RecordIn, RecordOut
from pledge.records.subjects import SubjectHandle, resolve_subjects
from pledge.records.validation import Resolved, check_record
from pledge.restrictions import RestrictionKind, collection_limits, objects_to


def validate_all(policy: Policy, records: Sequence[RecordIn], *, batch: bool) -> list[Resolved]:
    """Check every record; raise one ValidationFailed naming every offending field."""
    today = utcnow().date()
    errors: dict[str, str] = {}
    resolved: list[Resolved] = []
    for position, record in enumerate(records):
        problems, result = check_record(policy, record, today)
        prefix = f"records[{position}]." if batch else ""
        errors.update({prefix + name: message for name, message in problems.items()})
        if result is not None:
            resolved.append(result)
    if errors:
        raise ValidationFailed("the policy does not allow this data", fields=errors)
    return resolved


class ProcessingRestricted(Conflict):
    """409: the person restricted processing of their data; only storage is allowed."""

    code = "processing_restricted"


class ProcessingObjected(Conflict):
    """409: the person objected to a legitimate-interest purpose (Art. 21 GDPR)."""

    code = "processing_objected"


def collect(
    pledge: Pledge, records: Sequence[RecordIn], *, actor: str, batch: bool = False
) -> list[RecordOut]:
    """Store records that the policy allows; raise ValidationFailed and store nothing otherwise."""
    resolved = validate_all(pledge.policy, records, batch=batch)
    try:
        return _write(pledge, records, resolved, actor, batch=batch)
    except IntegrityError:
        # Another writer created one of these subjects at the same moment: retry once,
        # now finding it instead of creating it.
        return _write(pledge, records, resolved, actor, batch=batch)


def _write(
    pledge: Pledge,
    records: Sequence[RecordIn],
    resolved: list[Resolved],
    actor: str,
    *,
    batch: bool,
) -> list[RecordOut]:
    with pledge.transaction() as session:
        handles = resolve_subjects(
            session, pledge.keys, pledge.policy, [r.subject for r in records]
        )
        limits = _refuse_restricted(session, pledge.keys, records, resolved, handles, batch=batch)
        refuse_without_consent(
            session,
            pledge.policy,
            _consent_view(pledge.keys, records, resolved, handles),
            limits,
            batch=batch,
        )
        rows, out = _record_rows(pledge, records, resolved, handles)
        bulk_insert(session, Record.__table__, rows)
        bulk_insert(session, AuditEntry.__table__, _audit_rows(pledge.keys, rows, handles, actor))
    return out


def _refuse_restricted(
    session: Session,
    keys: KeyManager,
    records: Sequence[RecordIn],
    resolved: list[Resolved],
    handles: dict[str, SubjectHandle],
    *,
    batch: bool,
) -> dict[str, set[str]]:
    """Refuse the whole batch if any subject in it restricted or objected to its processing.

    Collecting more data is processing, which a restriction (Art. 18 GDPR)
    allows only as storage of what is held, and an objection (Art. 21) stops
    for the legitimate-interest purposes it names. One query per batch, and
    only for subjects that already existed (a new one cannot have asked).
    Returns the limits found, which the consent check reads too.
    """
    existing = [h.id for h in handles.values() if not h.created]
    limits = collection_limits(session, existing) if existing else {}
    if not limits:
        return limits
    restricted: dict[str, str] = {}
    objected: dict[str, str] = {}
    for position, (record, info) in enumerate(zip(records, resolved, strict=True)):
        kinds = limits.get(handles[keys.blind_index("email", record.subject.email)].id)
        prefix = f"records[{position}]." if batch else ""
        if not kinds:
            continue
        if RestrictionKind.STORAGE_ONLY in kinds:
            restricted[prefix + "subject"] = "processing restricted"
        elif objects_to(kinds, record.purpose, info.legal_basis):
            objected[prefix + "purpose"] = "the person objected to this purpose"
    if restricted:
        raise ProcessingRestricted(
            "the person has restricted the processing of their data: only storage is allowed "
            "until the restriction is lifted, so nothing was stored",
            fields=restricted,
        )
    if objected:
        raise ProcessingObjected(
            "the person objected to processing for this purpose, which rests on legitimate "
            "interests, so nothing was stored",
            fields=objected,
        )
    return limits


def _consent_view(
    keys: KeyManager,
    records: Sequence[RecordIn],
    resolved: list[Resolved],
    handles: dict[str, SubjectHandle],
) -> list[tuple[str, str, str, bool]]:
    """Per record: its subject id, purpose, legal basis and whether the subject is new.

    Empty when no record rests on consent, the common case, which then costs nothing.
    """
    if not any(info.legal_basis == CONSENT for info in resolved):
        return []
    by_email: dict[str, SubjectHandle] = {}
    view = []
    for record, info in zip(records, resolved, strict=True):
        email = record.subject.email
        if email not in by_email:
            by_email[email] = handles[keys.blind_index("email", email)]
        handle = by_email[email]
        view.append((handle.id, record.purpose, info.legal_basis, handle.created))
    return view


def _record_rows(
    pledge: Pledge,
    records: Sequence[RecordIn],
    resolved: list[Resolved],
    handles: dict[str, SubjectHandle],
) -> tuple[list[dict[str, Any]], list[RecordOut]]:
    policy, keys, now = pledge.policy, pledge.keys, utcnow()
    rows: list[dict[str, Any]] = []
    out: list[RecordOut] = []
    by_email: dict[str, SubjectHandle] = {}
    deadlines: dict[str, datetime | None] = {}
    for record, info in zip(records, resolved, strict=True):
        email = record.subject.email
        if email not in by_email:
            by_email[email] = handles[keys.blind_index("email", email)]
        handle = by_email[email]
        if record.category not in deadlines:
            deadlines[record.category] = info.category.retention.deadline(now)
        retain_until = deadlines[record.category]
        record_id = new_id()
        rows.append(
            {
                "id": record_id,
                "subject_id": handle.id,
                "category": record.category,
                "purpose": record.purpose,
                "legal_basis": info.legal_basis,
                "jurisdiction": info.jurisdiction,
                "source": record.source,
                "policy_version": policy.version,
                "policy_digest": policy.digest,
                "field_names": sorted(record.data),
                "ciphertext": keys.encrypt_json(
                    handle.data_key, record.data, f"record:{record_id}"
                ),
                "collected_at": now,
                "retain_until": retain_until,
            }
        )
        out.append(
            RecordOut.model_construct(id=record_id, subject_id=handle.id, retain_until=retain_until)
        )
    return rows, out


def _audit_rows(
    keys: KeyManager, rows: list[dict[str, Any]], handles: dict[str, SubjectHandle], actor: str
) -> list[dict[str, Any]]:
    """One audit entry per subject touched, listing its new records (ids and tags only)."""
    per_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        per_subject[row["subject_id"]].append(row)
    created = {h.id for h in handles.values() if h.created}
    entries = []
    for subject_id, subject_rows in per_subject.items():
        details = {
            "records": [r["id"] for r in subject_rows],
            "categories": sorted({r["category"] for r in subject_rows}),
            "purposes": sorted({r["purpose"] for r in subject_rows}),
            "new_subject": subject_id in created,
        }
        entries.append(
            audit_row(
                keys=keys,
                action="records.collected",
                actor=actor,
                object_type="subject",
                object_id=subject_id,
                subject_id=subject_id,
                details=details,
            )
        )
    return entries


def find_subject_id(session: Session, keys: KeyManager, email: str) -> str | None:
    index = keys.blind_index("email", email)
    return session.scalar(
        select(Identity.subject_id).where(Identity.kind == "email", Identity.blind_index == index)
    )


def records_for_email(pledge: Pledge, email: str) -> list[HeldRecord]:
    """Every record held about the person with this e-mail, decrypted, oldest first."""
    with pledge.sessions() as session:
        subject_id = find_subject_id(session, pledge.keys, email)
        if subject_id is None:
            return []
        return decrypted_records(session, pledge.keys, subject_id)


def decrypted_records(session: Session, keys: KeyManager, subject_id: str) -> list[HeldRecord]:
    wrapped = session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    data_key = keys.unwrap(wrapped, subject_id)
    rows = session.scalars(
        select(Record).where(Record.subject_id == subject_id).order_by(Record.collected_at)
    ).all()
    return [
        _held(row, keys.decrypt_json(data_key, row.ciphertext, f"record:{row.id}")) for row in rows
    ]


def _held(row: Record, data: dict[str, Any]) -> HeldRecord:
    return HeldRecord(
        id=row.id,
        category=row.category,
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        source=row.source,
        policy_version=row.policy_version,
        collected_at=row.collected_at,
        retain_until=row.retain_until,
        data=data,
    )
