"""An erasure's fulfilment SIGKILLed at every step, then finished by the periodic task.

The person confirms an erasure in a child process (as behind the API, the
fulfilment runs right after the code is accepted); the child is killed on
entering fulfilment, after each writing statement of the fulfilment
transaction, just before its COMMIT, and just after it. The parent then does
what a worker's ``fulfil_requests`` and ``deliver`` jobs do, and checks the
request completed exactly once: the records are gone, the key destroyed,
one completion mail, one set of recipient notices each posted once, and the
audit chain intact.

The writing statements are not listed by hand: a first, unkilled run traces
them, so a new write added to erasure is killed after too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import (
    Delivery,
    RecipientNotice,
    Record,
    RequestEvent,
    RightsRequest,
    SubjectKey,
)
from pledge.jobs import deliver
from pledge.rights.fulfil import fulfil_verified
from pledge.web.app import create_app
from tests.faults.conftest import HOOKED, Receiver, audit_count, run_child
from tests.faults.people import Erasure, prepare
from tests.integration.smtp_server import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

COMPLETE = "Your request is complete"


def status_of(pledge: Pledge, request_id: str) -> str:
    with pledge.sessions() as session:
        return str(
            session.scalar(select(RightsRequest.status).where(RightsRequest.id == request_id))
        )


def records_of(pledge: Pledge, subject_id: str) -> int:
    with pledge.sessions() as session:
        query = select(func.count()).select_from(Record).where(Record.subject_id == subject_id)
        return int(session.scalar(query) or 0)


def key_destroyed(pledge: Pledge, subject_id: str) -> bool:
    with pledge.sessions() as session:
        key = session.get(SubjectKey, subject_id)
    assert key is not None
    return key.wrapped_key is None and key.destroyed_at is not None


def nothing_fulfilled(pledge: Pledge, erasure: Erasure) -> None:
    """A fulfilment killed before its commit left no trace of itself."""
    assert status_of(pledge, erasure.request_id) == "verified"
    assert records_of(pledge, erasure.subject_id) == 2
    assert not key_destroyed(pledge, erasure.subject_id)
    with pledge.sessions() as session:
        notices = session.scalar(
            select(func.count())
            .select_from(RecipientNotice)
            .where(RecipientNotice.request_id == erasure.request_id)
        )
        mails = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.subject_id == erasure.subject_id, Delivery.template.like("rights_c%"))
        )
    assert (notices, mails) == (0, 0)


def completed_once(
    pledge: Pledge, smtp: SmtpServer, receiver: Receiver, erasure: Erasure, notified: list[str]
) -> None:
    """Everything an erasure owes, each exactly once."""
    assert status_of(pledge, erasure.request_id) == "completed"
    assert records_of(pledge, erasure.subject_id) == 0
    assert key_destroyed(pledge, erasure.subject_id)
    with pledge.sessions() as session:
        events = list(
            session.scalars(
                select(RequestEvent.event).where(RequestEvent.request_id == erasure.request_id)
            )
        )
        notices = session.scalars(
            select(RecipientNotice).where(RecipientNotice.request_id == erasure.request_id)
        ).all()
    assert events.count("fulfilling") <= 1
    assert events.count("completed") == 1
    assert events.count("recipient_notified") == 1, "the hooked recipient was told once"
    assert sorted(n.recipient_id for n in notices) == notified, "one notice per recipient"
    hooked = [n for n in notices if n.recipient_id == HOOKED]
    assert [n.status for n in hooked] == ["sent"]
    assert receiver.acknowledged().count(hooked[0].id) == 1
    completion = [m for m in smtp.messages_to(erasure.email) if m.message["Subject"] == COMPLETE]
    assert len(completion) == 1, "exactly one completion mail"
    assert audit_count(pledge, "rights.completed", erasure.request_id) == 1
    assert audit_count(pledge, "subject.key_destroyed", erasure.subject_id) == 1


@pytest.mark.timeout(900)  # about twenty child processes, each importing Pledge
def test_an_erasure_killed_at_every_step_completes_exactly_once(
    hooked: Pledge, smtp: SmtpServer, receiver: Receiver, tmp_path: Path
) -> None:
    from pledge.access import create_api_key

    key = create_api_key(hooked, name="faults", role="system")[1]
    with TestClient(create_app(hooked), raise_server_exceptions=False) as web:
        # A run with no fault: the steps to kill at, and what a fulfilment owes.
        trace = tmp_path / "writes.txt"
        baseline = prepare(web, hooked, smtp, key, 0)
        run = run_child(
            hooked, "verify", baseline.request_id, baseline.token, baseline.code, trace=trace
        )
        assert (run.returncode, run.stdout.strip()) == (0, "completed"), run.stderr
        writes = trace.read_text(encoding="utf-8").splitlines()
        assert any(w.startswith("DELETE FROM records") for w in writes), writes
        with hooked.sessions() as session:
            row = session.get(RightsRequest, baseline.request_id)
            assert row is not None
            notified = sorted(row.result["notified"])
        assert HOOKED in notified
        assert deliver(hooked).dead == 0
        completed_once(hooked, smtp, receiver, baseline, notified)

        points = [
            ("fulfil:start", "entering fulfilment"),
            *((f"fulfil:write:{n}", f"after {w}") for n, w in enumerate(writes, 1)),
            ("fulfil:commit", "before COMMIT"),
            ("fulfil:committed", "after COMMIT"),
        ]
        for n, (point, step) in enumerate(points, 1):
            erasure = prepare(web, hooked, smtp, key, n)
            run = run_child(
                hooked, "verify", erasure.request_id, erasure.token, erasure.code, kill=point
            )
            assert run.killed, f"{step}: the child was not killed ({run.returncode}) {run.stderr}"
            if point == "fulfil:committed":
                assert status_of(hooked, erasure.request_id) == "completed"
                assert fulfil_verified(hooked) == 0, "nothing left for the periodic task"
            else:
                nothing_fulfilled(hooked, erasure)
                assert fulfil_verified(hooked) == 1, f"{step}: the periodic task fulfilled it"
            assert fulfil_verified(hooked) == 0, f"{step}: and only once"
            report = deliver(hooked)
            assert (report.dead, report.lost) == (0, 0), f"{step}: {report}"
            try:
                completed_once(hooked, smtp, receiver, erasure, notified)
            except AssertionError as exc:
                raise AssertionError(f"killed {step}: {exc}") from exc
    acknowledged = receiver.acknowledged()
    assert len(acknowledged) == len(set(acknowledged)), "no notice was posted twice"
    assert hooked.verify_audit().ok
