"""Consent batches on PostgreSQL in two round trips (:mod:`pledge.consent.ledger.pg_batches`).

The writer tests run this path on PostgreSQL already; these pin what is
particular to it: the transaction it spells out itself, and a person who
comes back with a new phone number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import text

from pledge.consent.ledger import pg_batches
from pledge.consent.ledger.writer import ConsentWriter
from pledge.core import Pledge
from pledge.db.models import ConsentEvent, ConsentState, Identity, Subject
from tests.consent.test_writer import act, broken_act, count, write_one_batch


@pytest.fixture
def raw(pledge: Pledge) -> Iterator[psycopg.Connection[Any]]:
    if pledge.settings.is_sqlite:
        pytest.skip("the two-round-trip path is PostgreSQL's")
    connection = pg_batches.connect(pledge.engine)
    yield connection
    connection.close()


def test_a_failed_batch_leaves_nothing_and_the_connection_serves_the_next(
    pledge: Pledge, raw: psycopg.Connection[Any]
) -> None:
    bad = broken_act(pledge, "broken@example.org")
    with pytest.raises(psycopg.IntegrityError):
        pg_batches.record_acts(pledge, raw, [act(pledge, "first@example.org"), bad])
    assert raw.info.transaction_status == TransactionStatus.IDLE
    assert count(pledge, Subject.id) == 0  # the new person went with the failed act
    assert count(pledge, ConsentEvent.id) == 0
    (recorded,) = pg_batches.record_acts(pledge, raw, [act(pledge, "first@example.org")])
    assert raw.info.transaction_status == TransactionStatus.IDLE
    assert count(pledge, ConsentEvent.id) == 1
    assert count(pledge, ConsentState.id, ConsentState.subject_id == recorded.subject_id) == 1


def test_each_batch_is_committed_before_it_returns(
    pledge: Pledge, raw: psycopg.Connection[Any]
) -> None:
    pg_batches.record_acts(pledge, raw, [act(pledge, f"p{n}@example.org") for n in range(3)])
    assert raw.info.transaction_status == TransactionStatus.IDLE
    assert count(pledge, ConsentEvent.id) == 3  # seen from another connection


def test_the_same_person_twice_is_one_transaction(
    pledge: Pledge, raw: psycopg.Connection[Any]
) -> None:
    """Two runs (the person repeats), one BEGIN and one COMMIT: all or nothing still."""
    bad = broken_act(pledge, "x@example.org")
    with pytest.raises(psycopg.IntegrityError):
        pg_batches.record_acts(pledge, raw, [act(pledge, "x@example.org"), bad])
    assert count(pledge, Subject.id) == 0
    first, second = pg_batches.record_acts(
        pledge, raw, [act(pledge, "x@example.org"), act(pledge, "x@example.org", granted=False)]
    )
    assert first.subject_id == second.subject_id
    assert count(pledge, ConsentEvent.id) == 2


def test_a_person_who_comes_back_with_a_new_phone_gets_it_once(pledge: Pledge) -> None:
    """On both databases, through the writer (PostgreSQL takes the two-round-trip path)."""
    email = "returning@example.org"
    (first,) = write_one_batch(pledge, [act(pledge, email)])
    assert count(pledge, Identity.id, Identity.kind == "phone") == 0
    again = [act(pledge, email, phone="+33 6 12 34 56 78"), act(pledge, "other@example.org")]
    write_one_batch(pledge, again)
    write_one_batch(pledge, [act(pledge, email, phone="+33612345678")])  # the same number
    subject_id = first.future.result().subject_id
    assert count(pledge, Identity.id, Identity.kind == "phone") == 1
    assert count(pledge, Identity.id, Identity.subject_id == subject_id) == 2


def test_a_lost_writer_connection_fails_no_request(pledge: Pledge) -> None:
    if pledge.settings.is_sqlite:
        pytest.skip("the writer's own connection is PostgreSQL's")
    writer = ConsentWriter(pledge)
    writer.submit(act(pledge, "a@example.org")).result(timeout=10)
    with pledge.engine.begin() as connection:  # end the writer's session from outside
        ended = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = :name"
            ),
            {"name": pg_batches.APPLICATION_NAME},
        ).all()
    assert ended == [(True,)]
    lost = writer.submit(act(pledge, "b@example.org")).exception(timeout=10)
    after = writer.submit(act(pledge, "c@example.org")).exception(timeout=10)
    writer.close()
    assert (lost, after) == (None, None)  # the lost connection cost no request
    assert count(pledge, ConsentEvent.id) == 3


def test_the_look_up_is_planned_for_its_values_every_time(
    pledge: Pledge, raw: psycopg.Connection[Any]
) -> None:
    """A generic plan made on an empty table scanned every e-mail identity (see LOOKUP)."""
    for n in range(8):  # psycopg prepares a statement after five executions
        pg_batches.record_acts(pledge, raw, [act(pledge, f"v{n}@example.org")])
    prepared = raw.execute("SELECT statement FROM pg_prepared_statements").fetchall()
    assert prepared  # the writes are prepared: their plans do not depend on the data
    assert not [text for (text,) in prepared if "wanted(idx)" in text]  # the look-up


def test_someone_created_meanwhile_by_another_writer_is_found_on_the_retry(
    pledge: Pledge, raw: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-up runs before BEGIN; a person created in between makes the insert fail."""
    (first,) = pg_batches.record_acts(pledge, raw, [act(pledge, "race@example.org")])
    real = pg_batches._look_up
    calls: list[int] = []

    def stale_once(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # as if the other writer committed just after this look-up
            return {}, set()
        return real(*args)

    monkeypatch.setattr(pg_batches, "_look_up", stale_once)
    (again,) = pg_batches.record_acts(pledge, raw, [act(pledge, "race@example.org", granted=False)])
    assert len(calls) == 2
    assert again.subject_id == first.subject_id
    assert count(pledge, Subject.id) == 1
    assert count(pledge, ConsentEvent.id) == 2
