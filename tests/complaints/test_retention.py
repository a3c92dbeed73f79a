"""Complaints are kept as the policy says, then removed by ``pledge retention run``."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from pledge import complaints
from pledge.cli.main import app as cli
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Complaint
from pledge.retention.run import run_retention
from pledge.rights.holds import create_hold
from tests.complaints.conftest import EMAIL, complain, confirmed
from tests.integration.smtp_server import SmtpServer


def _count(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Complaint)) or 0)


def test_answered_complaints_go_three_years_after_the_answer(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    answered = confirmed(web, mailer, smtp)
    now = utcnow()
    complaints.answer(mailer, answered, "We fixed it.", actor="staff:1", now=now)
    confirmed(web, mailer, smtp, email="open.case@example.org")  # open: kept
    assert run_retention(mailer, as_of=now + timedelta(days=3 * 365 - 2)).complaints == 0
    dry = run_retention(mailer, as_of=now + timedelta(days=3 * 366), dry_run=True)
    assert dry.complaints == 1
    assert _count(mailer) == 2
    assert run_retention(mailer, as_of=now + timedelta(days=3 * 366)).complaints == 1
    with mailer.sessions() as session:
        assert session.get(Complaint, answered) is None
    assert _count(mailer) == 1


def test_unconfirmed_complaints_go_after_30_days_unless_held(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    complain(web)
    complain(web, email="someone.else@example.org")
    create_hold(mailer, email=EMAIL, reason="Case 12", actor="staff:1")
    later = utcnow() + timedelta(days=31)
    assert run_retention(mailer, as_of=later).complaints == 1
    assert _count(mailer) == 1
    result = CliRunner().invoke(cli, ["retention", "run", "--as-of", later.date().isoformat()])
    assert "complaints: 0" in result.output
