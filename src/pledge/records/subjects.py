"""Finding and creating subjects in bulk, by blind index, with their keys.

Collection must scale to bulk imports, so subjects are resolved with one
query per chunk of addresses rather than one per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import FromClause, Select, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.bulk import bulk_insert, bulk_insert_all
from pledge.db.models import Identity, MarketingReach, Subject, SubjectKey
from pledge.policy import Policy
from pledge.records.schemas import SubjectIn

CHUNK = 1000


@dataclass
class SubjectHandle:
    """A resolved subject and its unwrapped data key, for this transaction only."""

    id: str
    data_key: bytes
    created: bool


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Rows = list[tuple[FromClause, list[dict[str, object]]]]
"""Rows to insert, per table, in order (see :func:`pledge.db.bulk.bulk_insert_all`)."""


def resolve_subjects(
    session: Session,
    keys: KeyManager,
    policy: Policy,
    people: Sequence[SubjectIn],
    *,
    deferred: Rows | None = None,
) -> dict[str, SubjectHandle]:
    """Map each e-mail blind index to its subject, creating the missing ones.

    With ``deferred``, the new subjects' rows are appended there instead of
    written: a caller that writes more in one round trip (the consent writer's
    pipeline) sends them first, with its own.
    """
    by_index = index_people(keys, people)
    handles = _existing(session, keys, list(by_index))
    rows = complete_subjects(keys, policy, by_index, handles)
    if deferred is None:
        bulk_insert_all(session, rows)
    else:
        deferred.extend(rows)
    _add_new_phones(session, keys, by_index, handles)
    return handles


def index_people(keys: KeyManager, people: Sequence[SubjectIn]) -> dict[str, SubjectIn]:
    """The people by e-mail blind index (the last one wins when an address repeats)."""
    return {keys.blind_index("email", p.email): p for p in people}


def complete_subjects(
    keys: KeyManager,
    policy: Policy,
    by_index: dict[str, SubjectIn],
    handles: dict[str, SubjectHandle],
) -> Rows:
    """Add a new subject to ``handles`` for every person not found; returns their rows.

    Pure: the caller found the existing ones its own way (a session query, or
    the consent writer's pipelined look-up) and writes the rows its own way.
    """
    missing = {idx: person for idx, person in by_index.items() if idx not in handles}
    created, rows = _create(keys, policy, missing)
    handles.update(created)
    return rows


def handles_of(
    keys: KeyManager, found: Iterable[tuple[str | None, str, bytes]]
) -> dict[str, SubjectHandle]:
    """Handles, with unwrapped data keys, from (e-mail index, subject id, wrapped key) rows."""
    return {
        index: SubjectHandle(subject_id, keys.unwrap(wrapped, subject_id), created=False)
        for index, subject_id, wrapped in found
        if index is not None
    }


def _existing(session: Session, keys: KeyManager, indexes: list[str]) -> dict[str, SubjectHandle]:
    found: dict[str, SubjectHandle] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    for part in chunks(indexes):
        rows = session.execute(_by_email_index(list(part), postgres)).all()
        found.update(handles_of(keys, rows))  # type: ignore[arg-type]
    return found


def _by_email_index(part: list[str], postgres: bool) -> Select[str | None, str, bytes | None]:
    """Identity rows and keys for these e-mail indexes.

    On PostgreSQL the values are joined as ``unnest(array)``, one probe of the
    unique e-mail index each: as ``blind_index IN (1,000 values)``, a table
    not yet analysed (a new database filling up) was read through every
    e-mail identity and filtered, growing slower with the table, where the
    probes stay flat whatever its size (figures in ``docs/performance.md``).
    """
    query = select(Identity.blind_index, SubjectKey.subject_id, SubjectKey.wrapped_key).join(
        SubjectKey, SubjectKey.subject_id == Identity.subject_id
    )
    if not postgres:
        return query.where(Identity.kind == "email", Identity.blind_index.in_(part))
    values = bindparam("indexes", part, type_=ARRAY(String))
    wanted = func.unnest(values).table_valued("idx").render_derived()
    return query.join(wanted, Identity.blind_index == wanted.c.idx).where(Identity.kind == "email")


def _create(
    keys: KeyManager, policy: Policy, people: dict[str, SubjectIn]
) -> tuple[dict[str, SubjectHandle], Rows]:
    """New subjects with their keys, identities and reach rows, ready to insert."""
    if not people:
        return {}, []
    now = utcnow()
    handles: dict[str, SubjectHandle] = {}
    subjects: list[dict[str, object]] = []
    subject_keys: list[dict[str, object]] = []
    identities: list[dict[str, object]] = []
    marketing = [p.id for p in policy.marketing_purposes]
    reach: list[dict[str, object]] = []
    for index, person in people.items():
        subject_id, data_key = new_id(), keys.new_data_key()
        handles[index] = SubjectHandle(subject_id, data_key, created=True)
        jurisdiction = policy.jurisdiction_for(person.country, person.region).id
        subjects.append(
            {
                "id": subject_id,
                "jurisdiction": jurisdiction,
                "country": person.country,
                "region": person.region,
                "created_at": now,
            }
        )
        subject_keys.append(
            {
                "subject_id": subject_id,
                "wrapped_key": keys.wrap(data_key, subject_id),
                "created_at": now,
            }
        )
        identities.extend(identity_rows(keys, subject_id, data_key, person, index))
        reach.extend(_reach_rows(marketing, index, subject_id, jurisdiction))
    return handles, [
        (Subject.__table__, subjects),
        (SubjectKey.__table__, subject_keys),
        (Identity.__table__, identities),
        (MarketingReach.__table__, reach),
    ]


def _reach_rows(
    purposes: list[str], email_index: str, subject_id: str, jurisdiction: str
) -> list[dict[str, object]]:
    """A new subject's ``marketing_reach`` rows, no consent state yet, one per marketing purpose.

    Written with the subject, so the send-list filter can tell a known person
    (allowed where marketing is opt-out) from a stranger with one table.
    """
    raw = bytes.fromhex(email_index)
    return [
        {"email_index": raw, "purpose": p, "subject_id": subject_id, "jurisdiction": jurisdiction}
        for p in purposes
    ]


def identity_rows(
    keys: KeyManager, subject_id: str, data_key: bytes, person: SubjectIn, email_index: str
) -> list[dict[str, object]]:
    """Encrypted identity rows for a new subject: e-mail, and phone and name when given."""
    now = utcnow()
    rows: list[dict[str, object]] = []
    values = [("email", person.email, email_index)]
    if person.phone:
        values.append(
            ("phone", person.phone, keys.blind_index("phone", person.phone, person.country))
        )
    if person.name:
        values.append(("name", person.name, None))  # type: ignore[arg-type]
    for kind, value, index in values:
        row_id = new_id()
        rows.append(
            {
                "id": row_id,
                "subject_id": subject_id,
                "kind": kind,
                "blind_index": index,
                "ciphertext": keys.encrypt_json(data_key, value, f"identity:{row_id}"),
                "created_at": now,
            }
        )
    return rows


def _add_new_phones(
    session: Session,
    keys: KeyManager,
    people: dict[str, SubjectIn],
    handles: dict[str, SubjectHandle],
) -> None:
    """An existing subject who gives a new phone number gets it added as an identity."""
    wanted = wanted_phones(keys, people, handles)
    if not wanted:
        return
    subject_ids = [handles[idx].id for idx in wanted]
    held = {
        (subject_id, index)
        for subject_id, index in session.execute(
            select(Identity.subject_id, Identity.blind_index).where(
                Identity.kind == "phone", Identity.subject_id.in_(subject_ids)
            )
        )
        if index is not None
    }
    rows = new_phone_rows(keys, people, handles, wanted, held)
    if rows:
        bulk_insert(session, Identity.__table__, rows)


def wanted_phones(
    keys: KeyManager, people: dict[str, SubjectIn], handles: dict[str, SubjectHandle]
) -> dict[str, str]:
    """Phone blind indexes given for people who already existed, by e-mail index."""
    return {
        idx: keys.blind_index("phone", p.phone, p.country)
        for idx, p in people.items()
        if p.phone and not handles[idx].created
    }


def new_phone_rows(
    keys: KeyManager,
    people: dict[str, SubjectIn],
    handles: dict[str, SubjectHandle],
    wanted: dict[str, str],
    held: set[tuple[str, str]],
) -> list[dict[str, object]]:
    """Identity rows for the wanted phones a subject does not hold yet ((subject id, index))."""
    rows: list[dict[str, object]] = []
    for idx, phone_index in wanted.items():
        handle = handles[idx]
        if (handle.id, phone_index) in held:
            continue
        row_id = new_id()
        rows.append(
            {
                "id": row_id,
                "subject_id": handle.id,
                "kind": "phone",
                "blind_index": phone_index,
                "ciphertext": keys.encrypt_json(
                    handle.data_key, people[idx].phone, f"identity:{row_id}"
                ),
                "created_at": utcnow(),
            }
        )
    return rows


def email_taken(session: Session, keys: KeyManager, subject_id: str, email: str) -> bool:
    """True when another subject is found by ``email`` (an address finds one person only)."""
    owner = session.scalar(
        select(Identity.subject_id).where(
            Identity.kind == "email", Identity.blind_index == keys.blind_index("email", email)
        )
    )
    return owner is not None and owner != subject_id
