"""The consent ledger: every consent given or withdrawn, appended and never changed.

Why append-only: consent must be *provable* (GDPR Art. 7(1)): who agreed to
what, when, how, under which policy text and wording. Overwriting a flag
would lose exactly that. The current state is derived from the events; the
``consent_states`` projection is written with each event in the same
transaction so the marketing filter stays set-based, and it only moves
forward in time.

Giving and withdrawing are the same call with ``granted`` true or false, so
withdrawing never takes more steps than giving. What an act is and how it is
checked lives in :mod:`pledge.consent.ledger.acts`; the projections and
their rebuild in :mod:`pledge.consent.ledger.projections`; this module writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, cast

import psycopg
from psycopg.types.json import Json
from sqlalchemy import Table, insert, select
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge.audit.chain import audit_row
from pledge.consent.ledger.acts import Act, PendingAct, Recorded, SubjectRef, prepare_act
from pledge.consent.ledger.projections import (
    REACH_UPSERT,
    STATE_UPSERT,
    advance_states,
    refresh_reaches,
    state_params,
)
from pledge.consent.schemas import ConsentIn
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.bulk import bulk_insert_all, insert_many
from pledge.db.engine import transaction as unit_of_work
from pledge.db.models import (
    AuditEntry,
    ConsentEvent,
    Subject,
    SubjectKey,
)
from pledge.records.subjects import Rows, SubjectHandle, resolve_subjects


def record_consent(pledge: Pledge, consent: ConsentIn, *, actor: str) -> Recorded:
    """Append one act (one event per channel) for the person with this e-mail.

    The person is found by e-mail blind index, or created as a subject with
    encrypted identities; the e-mail itself is never stored in clear.
    """
    return record_acts(pledge, [prepare_act(pledge, consent, actor=actor)])[0]


def record_acts(
    pledge: Pledge, pending: Sequence[PendingAct], *, connection: Connection | None = None
) -> list[Recorded]:
    """Write prepared acts, in order, in one transaction: all of them or none.

    Retried once on IntegrityError: another writer created one of these
    people at the same moment, and the second attempt finds that subject.
    ``connection``: a connection the caller holds (the group-commit writer
    keeps one, saving a pool checkout and its liveness ping per batch);
    otherwise :meth:`Pledge.transaction` as everywhere else.
    """
    try:
        return _record_in_transaction(pledge, pending, connection)
    except (IntegrityError, psycopg.IntegrityError):  # COPY and the pipeline raise psycopg's
        return _record_in_transaction(pledge, pending, connection)


def _record_in_transaction(
    pledge: Pledge, pending: Sequence[PendingAct], connection: Connection | None
) -> list[Recorded]:
    recorded: list[Recorded] = []
    with _transaction(pledge, connection) as session:
        for run in runs_of_distinct_people(pledge, pending):
            recorded.extend(_record_run(session, pledge, run))
    return recorded


@contextmanager
def _transaction(pledge: Pledge, connection: Connection | None) -> Iterator[Session]:
    """:meth:`Pledge.transaction`, or the same unit of work on a held connection."""
    if connection is None:
        with pledge.transaction() as session:
            yield session
        return
    with unit_of_work(partial(pledge.sessions, bind=connection)) as session:
        yield session


def runs_of_distinct_people(
    pledge: Pledge, pending: Sequence[PendingAct]
) -> list[list[tuple[str, PendingAct]]]:
    """Consecutive runs in which no e-mail repeats, each act with its e-mail blind index.

    Subjects are resolved once per run, so a person named twice in a batch is
    created by the first act (with its country, phone and name) and found by
    the second, exactly as if the two had been written one after the other.
    """
    runs: list[list[tuple[str, PendingAct]]] = [[]]
    seen: set[str] = set()
    for item in pending:
        index = pledge.keys.blind_index("email", item.person.email)
        if index in seen:
            runs.append([])
            seen.clear()
        seen.add(index)
        runs[-1].append((index, item))
    return runs


def _record_run(
    session: Session, pledge: Pledge, run: list[tuple[str, PendingAct]]
) -> list[Recorded]:
    new_rows: Rows = []  # written in the same round trip as the acts (see write_acts)
    people = [item.person for _, item in run]
    handles = resolve_subjects(session, pledge.keys, pledge.policy, people, deferred=new_rows)
    targets = run_targets(pledge, run, handles)
    return recorded_acts(targets, write_acts(session, pledge, targets, first=new_rows))


ActTarget = tuple[SubjectRef, Act, str | None]
"""An act with the subject it is about and that subject's e-mail index."""


def run_targets(
    pledge: Pledge, run: list[tuple[str, PendingAct]], handles: dict[str, SubjectHandle]
) -> list[ActTarget]:
    """Each act of a run with its resolved subject and the subject's jurisdiction."""
    policy = pledge.policy
    targets: list[ActTarget] = []
    for index, item in run:
        handle, person = handles[index], item.person
        jurisdiction = policy.jurisdiction_for(person.country, person.region).id
        targets.append((SubjectRef(handle.id, handle.data_key, jurisdiction), item.act, index))
    return targets


def recorded_acts(targets: Sequence[ActTarget], written: list[list[str]]) -> list[Recorded]:
    """What each request is answered: its subject, purpose, channels and event ids."""
    return [
        Recorded(subject.id, act.purpose, act.channels, act.granted, tuple(ids))
        for (subject, act, _), ids in zip(targets, written, strict=True)
    ]


def subject_ref(session: Session, pledge: Pledge, subject_id: str) -> SubjectRef | None:
    """A known subject with its data key; None when unknown or erased (key destroyed)."""
    row = session.execute(
        select(Subject.jurisdiction, SubjectKey.wrapped_key)
        .join(SubjectKey, SubjectKey.subject_id == Subject.id)
        .where(Subject.id == subject_id, Subject.erased_at.is_(None))
    ).first()
    if row is None or row[1] is None:
        return None
    return SubjectRef(subject_id, pledge.keys.unwrap(row[1], subject_id), row[0])


def write_act(
    session: Session,
    pledge: Pledge,
    subject: SubjectRef,
    act: Act,
    *,
    email_index: str | None = None,
) -> list[str]:
    """Insert the events, move the state projections forward, audit; the caller commits.

    ``email_index`` (the hex e-mail blind index, when the caller has it) saves
    looking it up again for the ``marketing_reach`` projection.
    """
    return write_acts(session, pledge, [(subject, act, email_index)])[0]


def write_acts(
    session: Session,
    pledge: Pledge,
    targets: Sequence[ActTarget],
    *,
    first: Rows | None = None,
) -> list[list[str]]:
    """:func:`write_act` for many acts with a fixed number of statements; the caller commits.

    Events, state upserts, ``marketing_reach`` refreshes and audit entries each
    go out as one executemany (pipelined on PostgreSQL) instead of one ORM
    flush per act: per act, building and flushing ORM objects cost more than
    the database work. ``first``: rows of new people (from
    :func:`resolve_subjects` with ``deferred``) written ahead of the acts in
    the same pipeline: under load, every round trip also waits for the
    interpreter lock, so one fewer matters.
    """
    rows = act_rows(pledge, targets)
    _execute_writes(session, rows, first or [])
    return rows.written


@dataclass
class ActRows:
    """What a batch of acts writes: events, reach refreshes, audit entries, in act order."""

    events: list[dict[str, Any]] = field(default_factory=list)
    reach: dict[tuple[str, str], str | None] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)
    written: list[list[str]] = field(default_factory=list)
    """The event ids of each act."""


def act_rows(pledge: Pledge, targets: Sequence[ActTarget]) -> ActRows:
    """The rows of these acts, built without touching the database.

    Acts keep their order, and each gets a later ``recorded_at`` than the one
    before it, so two acts on the same state in one batch still resolve in
    the order they were made.
    """
    policy, rows, now = pledge.policy, ActRows(), utcnow()
    for subject, act, email_index in targets:
        events = _event_rows(pledge, subject, act, now)
        rows.events.extend(events)
        rows.written.append([row["id"] for row in events])
        rows.entries.append(_audit_row(pledge, subject, act, rows.written[-1]))
        purpose = policy.purpose(act.purpose)
        if purpose is not None and purpose.marketing:
            rows.reach[(subject.id, act.purpose)] = email_index
        now = max(utcnow(), now + _TICK)
    return rows


def _execute_writes(session: Session, rows: ActRows, first: Rows) -> None:
    """Events, states, reach rows and audit entries, in that order, in the caller's transaction.

    On PostgreSQL they go out through psycopg's pipeline (:func:`send_writes`);
    elsewhere, or when a reach row needs its e-mail index looked up first,
    through the session one statement after the other.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql" and None not in rows.reach.values():
        session.flush()  # anything the caller added through the ORM goes first
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        with raw.pipeline(), raw.cursor() as cursor:
            send_writes(cursor, rows, first)
        return
    bulk_insert_all(session, first)
    if rows.events:
        session.execute(_EVENT_INSERT, rows.events)
        advance_states(session, [state_params(row) for row in rows.events])
    refresh_reaches(session, rows.reach)
    session.execute(_AUDIT_INSERT, rows.entries)


def send_writes(cursor: psycopg.Cursor[Any], rows: ActRows, first: Rows) -> None:
    """Queue the writes on a cursor whose connection holds a pipeline open (PostgreSQL).

    Per batch, SQLAlchemy's per-statement work and a round trip per statement
    cost more than the database's own; here the rows go straight to psycopg
    (which adapts str, bool, aware datetimes and bytes itself), inside the
    caller's transaction. A failing statement raises when the pipeline
    syncs, and the caller rolls back. Every reach row needs its e-mail index.
    """
    reach_rows = [
        {"email_index": bytes.fromhex(index or ""), "purpose": purpose, "subject_id": subject_id}
        for (subject_id, purpose), index in rows.reach.items()
    ]
    insert_many(cursor, first)  # new people first: the rows below refer to them
    if rows.events:
        cursor.executemany(_PG_EVENT_INSERT, rows.events)
        cursor.executemany(_PG_STATE_UPSERT, [state_params(r) for r in rows.events])
    if reach_rows:
        cursor.executemany(_PG_REACH_UPSERT, reach_rows)
    cursor.executemany(
        _PG_AUDIT_INSERT, [{**entry, "details": Json(entry["details"])} for entry in rows.entries]
    )


_TICK = timedelta(microseconds=1)
_EVENT_INSERT = insert(cast(Table, ConsentEvent.__table__))
_AUDIT_INSERT = insert(cast(Table, AuditEntry.__table__))
"""Core inserts, built once: executemany without ORM objects or a unit of work."""


def _insert_sql(table: Any, columns: Sequence[str]) -> str:
    """``INSERT INTO t (a, b) VALUES (%(a)s, %(b)s)`` for psycopg."""
    names, values = ", ".join(columns), ", ".join(f"%({c})s" for c in columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({values})"  # noqa: S608


_PG_EVENT_INSERT = _insert_sql(
    ConsentEvent.__table__, [c.key for c in ConsentEvent.__table__.columns]
)
_PG_AUDIT_INSERT = _insert_sql(
    AuditEntry.__table__,
    [c.key for c in AuditEntry.__table__.columns if c.key not in ("id", "seq", "chain_hash")],
)
_PSYCOPG = psycopg_dialect()  # type: ignore[no-untyped-call]
_PG_STATE_UPSERT = str(STATE_UPSERT.compile(dialect=_PSYCOPG))
_PG_REACH_UPSERT = str(REACH_UPSERT.compile(dialect=_PSYCOPG))
"""The upserts shared with SQLite, compiled once for psycopg (``%(name)s`` parameters)."""


def _event_rows(
    pledge: Pledge, subject: SubjectRef, act: Act, now: datetime
) -> list[dict[str, Any]]:
    """One ``consent_events`` row per channel, evidence encrypted under the subject key."""
    policy, rows = pledge.policy, []
    for channel in act.channels:
        event_id = new_id()
        evidence = pledge.keys.encrypt_json(subject.data_key, act.evidence, f"consent:{event_id}")
        rows.append(
            {
                "id": event_id,
                "subject_id": subject.id,
                "purpose": act.purpose,
                "channel": channel,
                "granted": act.granted,
                "method": act.method,
                "jurisdiction": subject.jurisdiction,
                "policy_version": policy.version,
                "policy_digest": policy.digest,
                "text_hash": act.text_hash or "",
                "actor": act.actor,
                "recorded_at": now,
                "evidence": evidence,
            }
        )
    return rows


def _audit_row(
    pledge: Pledge, subject: SubjectRef, act: Act, event_ids: list[str]
) -> dict[str, Any]:
    return audit_row(
        keys=pledge.keys,
        action="consent.granted" if act.granted else "consent.withdrawn",
        actor=act.actor,
        object_type="subject",
        object_id=subject.id,
        subject_id=subject.id,
        details={
            "purpose": act.purpose,
            "channels": list(act.channels),
            "method": act.method,
            "events": event_ids,
        },
    )
