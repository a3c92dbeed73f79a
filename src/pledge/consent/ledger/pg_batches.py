"""Consent batches on PostgreSQL in two round trips: look up, then write and commit.

Why: the group-commit writer (:mod:`pledge.consent.ledger.writer`) spends its time
waiting, not working. Through a SQLAlchemy session a batch costs four round
trips (psycopg's own ``BEGIN``, the look-up of the people, the pipelined
writes, ``COMMIT``), and under load each costs far more than its network
time, the look-up many times what PostgreSQL spends on it (the measurements
are in docs/consent.md, "Writing consents: group commit"). Here the writer's own
connection runs in autocommit mode and the transaction is spelt out: the
look-up goes alone, then ``BEGIN``, the writes and ``COMMIT`` travel in one
pipeline: two round trips per batch.

What is written is exactly what :func:`pledge.consent.ledger.record.record_acts`
writes (the same rows, built by the same functions); only the way to the
database differs. SQLite, and acts retried one by one after a failed
batch, keep the session path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import Engine

from pledge.consent.ledger.acts import PendingAct, Recorded
from pledge.consent.ledger.record import (
    act_rows,
    recorded_acts,
    run_targets,
    runs_of_distinct_people,
    send_writes,
)
from pledge.core import Pledge
from pledge.db.models import Identity
from pledge.records.schemas import SubjectIn
from pledge.records.subjects import (
    Rows,
    SubjectHandle,
    complete_subjects,
    handles_of,
    new_phone_rows,
    wanted_phones,
)

LOOKUP = (
    "SELECT i.blind_index, k.subject_id, k.wrapped_key,"
    " ARRAY(SELECT p.blind_index FROM identities p"
    "  WHERE p.subject_id = i.subject_id AND p.kind = 'phone' AND p.blind_index IS NOT NULL)"
    " FROM unnest(%s::text[]) AS wanted(idx)"
    " JOIN identities i ON i.kind = 'email' AND i.blind_index = wanted.idx"
    " JOIN subject_keys k ON k.subject_id = i.subject_id"
)
"""The people of a batch by e-mail blind index, with the phone indexes each already holds.

One probe of the unique e-mail index per address, whatever the planner
thinks of the table: the values are joined as ``unnest(array)``, as in bulk
collection (:func:`pledge.records.subjects._by_email_index`). And never
prepared: a prepared statement soon runs a generic plan, chosen for the
table as it was then; prepared on a new, empty database, the earlier
``blind_index = ANY($1)`` form scanned every e-mail identity and filtered,
slower with every person, where planned for its values each time it is a
probe per address (docs/consent.md has what ``auto_explain`` showed).
"""


def connect(engine: Engine) -> psycopg.Connection[Any]:
    """A psycopg connection of its own for the writer, outside the pool, in autocommit mode.

    Autocommit so that psycopg never sends a ``BEGIN`` of its own (a round
    trip); :func:`record_acts` opens and ends its transactions itself. Named
    in ``pg_stat_activity`` unless the database URL names it already.
    """
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.setdefault("application_name", APPLICATION_NAME)
    return psycopg.connect(*args, **kwargs, autocommit=True)


APPLICATION_NAME = "pledge-consent-writer"


def record_acts(
    pledge: Pledge, raw: psycopg.Connection[Any], pending: Sequence[PendingAct]
) -> list[Recorded]:
    """Write prepared acts, in order, in one transaction: all of them or none.

    Retried once on IntegrityError: another writer created one of these
    people at the same moment, and the second attempt finds that subject.
    """
    try:
        return _in_transaction(pledge, raw, pending)
    except psycopg.IntegrityError:
        return _in_transaction(pledge, raw, pending)


def _in_transaction(
    pledge: Pledge, raw: psycopg.Connection[Any], pending: Sequence[PendingAct]
) -> list[Recorded]:
    runs = runs_of_distinct_people(pledge, pending)
    recorded: list[Recorded] = []
    try:
        for number, run in enumerate(runs):
            last = number == len(runs) - 1
            recorded.extend(_record_run(pledge, raw, run, begin=number == 0, commit=last))
    except BaseException:
        _roll_back(raw)
        raise
    return recorded


def _record_run(
    pledge: Pledge,
    raw: psycopg.Connection[Any],
    run: list[tuple[str, PendingAct]],
    *,
    begin: bool,
    commit: bool,
) -> list[Recorded]:
    """One run of distinct people: one round trip to find them, one to write."""
    keys, policy = pledge.keys, pledge.policy
    by_index: dict[str, SubjectIn] = {index: item.person for index, item in run}
    handles, held = _look_up(raw, pledge, list(by_index))
    new_rows: Rows = complete_subjects(keys, policy, by_index, handles)
    phones = new_phone_rows(keys, by_index, handles, wanted_phones(keys, by_index, handles), held)
    if phones:
        new_rows.append((Identity.__table__, phones))
    targets = run_targets(pledge, run, handles)
    rows = act_rows(pledge, targets)
    with raw.pipeline(), raw.cursor() as cursor:
        if begin:
            cursor.execute("BEGIN")
        send_writes(cursor, rows, new_rows)
        if commit:
            cursor.execute("COMMIT")
    return recorded_acts(targets, rows.written)


def _look_up(
    raw: psycopg.Connection[Any], pledge: Pledge, indexes: list[str]
) -> tuple[dict[str, SubjectHandle], set[tuple[str, str]]]:
    """Existing subjects by e-mail index, and the (subject id, phone index) pairs they hold.

    The first run's look-up comes before ``BEGIN``, alone, like any read
    under READ COMMITTED: a person created by another writer in between
    makes the insert fail on the unique e-mail index, and the batch is
    retried (:func:`record_acts`). Later runs look up inside the
    transaction and so find the people the earlier runs created.
    """
    with raw.cursor() as cursor:
        cursor.execute(LOOKUP, (indexes,), prepare=False)  # see LOOKUP
        found = cursor.fetchall()
    handles = handles_of(pledge.keys, [(index, sid, wrapped) for index, sid, wrapped, _ in found])
    held = {(sid, phone) for _, sid, _, phones in found for phone in phones}
    return handles, held


def _roll_back(raw: psycopg.Connection[Any]) -> None:
    """End a failed transaction, if the connection still works (the caller drops it if not)."""
    if raw.closed or raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return
    try:
        raw.execute("ROLLBACK")
    except psycopg.Error:
        raw.close()
