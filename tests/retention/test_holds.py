"""Legal holds: they stop retention and erasure for one person; releasing lets both proceed.

Both databases. The person's erasure request goes through the real intake and
the code mailed to a local SMTP server; the answer and the later completion
are read from the mails the person receives.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.db.models import Delivery, LegalHold, Record, RequestEvent, RightsRequest, SubjectKey
from pledge.jobs import deliver_outbox
from pledge.records import records_for_email
from pledge.retention import run_retention
from pledge.rights.hold_release import release_hold
from pledge.rights.holds import create_hold, list_holds
from tests.integration.smtp_server import SmtpServer
from tests.retention.conftest import (
    ANNA,
    BRUNO,
    application,
    audit_of,
    count,
    holds_no_personal_data,
    identification,
    months_on,
    post_records,
)
from tests.rights.conftest import PHONE, ask, confirm, mailed_code

CASE = "Matter 2026-114: Lindqvist Weaving v. Interactions"


def erase(mailer: Pledge, smtp: SmtpServer, web: TestClient, email: str, **body: Any) -> Any:
    request = ask(web, type="erasure", email=email, match={"phone": PHONE}, **body)
    return confirm(web, request, mailed_code(mailer, smtp, email))


def test_a_hold_stops_retention_until_it_is_released(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    anna = post_records(client, system_key, application(ANNA))[0]
    post_records(client, system_key, application(BRUNO))
    hold = create_hold(pledge, email=ANNA, reason=CASE, actor="test")
    assert hold.subject_known

    held = run_retention(pledge, as_of=months_on(12))
    assert dict(held.records) == {"employment_application": 1}  # Bruno's only
    assert held.records_on_hold == 1
    assert held.subjects == 1
    assert count(pledge, Record, Record.subject_id == anna["subject_id"]) == 1
    assert records_for_email(pledge, ANNA) != []

    assert release_hold(pledge, hold.id, actor="test").erasures_done == 0
    after = run_retention(pledge, as_of=months_on(12))
    assert dict(after.records) == {"employment_application": 1}
    assert after.subjects == 1
    assert records_for_email(pledge, ANNA) == []


def test_a_hold_placed_before_the_person_is_known_holds_them_once_collected(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    hold = create_hold(pledge, email=ANNA.upper(), reason=CASE, actor="test")
    assert not hold.subject_known
    post_records(client, system_key, application(ANNA))
    report = run_retention(pledge, as_of=months_on(12))
    assert (report.records_on_hold, report.subjects) == (1, 0)
    assert sum(report.records.values()) == 0


def test_an_erasure_of_a_held_person_is_refused_in_the_laws_words_then_done_on_release(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    anna = post_records(web, system_key, identification(ANNA), application(ANNA))[0]
    hold = create_hold(mailer, email=ANNA, reason=CASE, actor="officer")
    done = erase(mailer, smtp, web, ANNA)
    assert (done["status"], done["outcome"]) == ("denied", "none")
    assert "establishment, exercise or defence of legal claims" in done["reason"]
    assert "Art. 17(3)(e)" in done["reason"]
    (exception,) = done["result"]["exceptions"]
    assert exception["basis"] == "legal_hold"
    assert exception["records"] == 2
    assert len(records_for_email(mailer, ANNA)) == 2  # nothing erased
    deliver_outbox(mailer)
    answer = smtp.messages_to(ANNA)[-1]
    assert "defence of legal claims" in answer.body
    assert "supervisory authority" in answer.body
    assert list_holds(mailer, reader="test")[0].waiting_requests == 1

    released = release_hold(mailer, hold.id, actor="officer")
    assert released.erasures_done == 1
    assert records_for_email(mailer, ANNA) == []
    with mailer.sessions() as session:
        key = session.get(SubjectKey, anna["subject_id"])
        assert key is not None
        assert key.wrapped_key is None
        row = session.get(RightsRequest, done["id"])
        assert row is not None
        assert row.result["after_hold"]["records_deleted"] == 2
        assert row.email_ciphertext is None  # wiped once the person was told
        events = session.scalars(
            select(RequestEvent.event).where(RequestEvent.request_id == done["id"])
        ).all()
    assert "erased_after_hold" in events
    deliver_outbox(mailer)
    told = smtp.messages_to(ANNA)[-1]
    assert told.message["Subject"] == "Your request is complete"
    assert "is complete" in told.body
    entries = audit_of(mailer, "holds.")
    assert [action for action, _ in entries] == ["holds.created", "holds.released"]
    for _, details in entries:
        assert holds_no_personal_data(details, ANNA, CASE)


def test_a_california_resident_is_answered_under_the_ccpa(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    post_records(web, system_key, identification(ANNA, country="US", region="CA"))
    create_hold(mailer, email=ANNA, reason=CASE, actor="officer")
    done = erase(mailer, smtp, web, ANNA, country="US", region="CA")
    assert done["status"] == "denied"
    assert "1798.105(d)" in done["reason"]
    assert "Art. 17" not in done["reason"]


def test_a_second_hold_keeps_the_erasure_waiting_until_the_last_is_released(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    post_records(web, system_key, identification(ANNA))
    first = create_hold(mailer, email=ANNA, reason=CASE, actor="officer")
    second = create_hold(mailer, email=ANNA, reason="Tax audit 2026", actor="officer")
    assert erase(mailer, smtp, web, ANNA)["status"] == "denied"
    assert release_hold(mailer, first.id, actor="officer").erasures_done == 0
    assert len(records_for_email(mailer, ANNA)) == 1
    assert release_hold(mailer, second.id, actor="officer").erasures_done == 1
    assert records_for_email(mailer, ANNA) == []


@pytest.fixture
def cli(pledge: Pledge, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PLEDGE_DATABASE_URL", pledge.settings.database_url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", pledge.settings.master_key or "")
    return CliRunner()


def test_the_holds_commands(pledge: Pledge, cli: CliRunner) -> None:
    made = cli.invoke(cli_app, ["holds", "create", "--email", ANNA, "--reason", CASE])
    assert made.exit_code == 0, made.output
    hold_id = made.output.split()[0]
    listed = cli.invoke(cli_app, ["holds", "list"])
    assert listed.exit_code == 0
    assert f"{hold_id}  active" in listed.output
    assert CASE in listed.output
    assert ANNA not in listed.output  # the address is never shown again

    released = cli.invoke(cli_app, ["holds", "release", hold_id])
    assert released.exit_code == 0, released.output
    assert "released" in cli.invoke(cli_app, ["holds", "list"]).output
    again = cli.invoke(cli_app, ["holds", "release", hold_id])
    assert again.exit_code == 1
    assert "already released" in again.output

    unknown = cli.invoke(cli_app, ["holds", "release", "no-such-hold"])
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "error: no legal hold has this id"
    bad = cli.invoke(cli_app, ["holds", "create", "--email", "not-an-address", "--reason", " "])
    assert bad.exit_code == 1
    assert "email" in bad.output
    assert "reason" in bad.output
    assert count(pledge, LegalHold) == 1


def test_retention_run_command(pledge: Pledge, cli: CliRunner) -> None:
    with pledge.sessions() as session:
        before = session.scalar(select(LegalHold.id))
    dry = cli.invoke(cli_app, ["retention", "run", "--dry-run", "--as-of", "2031-01-01"])
    assert dry.exit_code == 0, dry.output
    assert "would remove" in dry.output
    assert "records: 0" in dry.output
    bad = cli.invoke(cli_app, ["retention", "run", "--as-of", "next tuesday"])
    assert bad.exit_code == 1
    assert bad.output.strip().count("\n") == 0
    assert "--as-of" in bad.output
    assert audit_of(pledge, "retention.") == []
    assert before is None


def test_a_hold_keeps_the_persons_request_records_and_mail(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    anna = post_records(web, system_key, identification(ANNA))[0]
    request = ask(web, type="access", email=ANNA)
    assert confirm(web, request, mailed_code(mailer, smtp, ANNA))["status"] == "completed"
    deliver_outbox(mailer)
    about_her = Delivery.subject_id == anna["subject_id"]
    mails = count(mailer, Delivery, about_her)
    assert mails >= 1  # the answer, sent once she was known
    hold = create_hold(mailer, email=ANNA, reason=CASE, actor="officer")
    held = run_retention(mailer, as_of=months_on(25))
    assert (held.requests, held.requests_kept, held.records_on_hold) == (0, 1, 1)
    assert held.subjects == 0
    assert count(mailer, RightsRequest) == 1
    assert count(mailer, Delivery, about_her) == mails

    release_hold(mailer, hold.id, actor="officer")
    after = run_retention(mailer, as_of=months_on(25))
    assert (after.requests, after.subjects) == (1, 1)
    assert dict(after.records) == {"identification": 1}
    assert count(mailer, RightsRequest) == 0
    assert count(mailer, Delivery, about_her) == 0


def test_a_hold_placed_while_the_run_goes_stops_it_at_the_next_batch(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    """The run reads the holds again in every batch (here: a hold placed after the first)."""
    post_records(client, system_key, application(ANNA), application(BRUNO))
    plain, placed = pledge.transaction, list[bool]()

    @contextmanager
    def then_hold() -> Iterator[Any]:
        with plain() as session:
            yield session
        if not placed:  # the first batch committed: staff place a hold on Bruno now
            placed.append(True)
            create_hold(pledge, email=BRUNO, reason=CASE, actor="officer")

    with patch.object(pledge, "transaction", then_hold):
        report = run_retention(pledge, as_of=months_on(12), batch=1)
    assert placed
    assert sum(report.records.values()) + count(pledge, Record) == 2
    assert [r.category for r in records_for_email(pledge, BRUNO)] == ["employment_application"]
