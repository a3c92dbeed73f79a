"""The registers go when the policy's ``registers`` periods end (``pledge retention run``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import (
    Breach,
    BusinessTransfer,
    LegalRequest,
    LegalRequestSubject,
    RegisterNotice,
)
from pledge.policy.durations import add_months
from pledge.registers.breaches import BreachIn, DecisionIn, create_breach, decide, notify_breach
from pledge.registers.common import parse
from pledge.registers.legal_requests import LegalRequestIn, create_legal_request
from pledge.registers.transfers import TransferIn, create_transfer
from pledge.retention import run_retention
from tests.registers.conftest import ANNA, audit_of, count, identification, post_records


def fill(pledge: Pledge, known: datetime) -> None:
    create_legal_request(
        pledge,
        parse(
            LegalRequestIn,
            {
                "authority": "Police",
                "reference": "R-1",
                "legal_basis": "CPP",
                "scope": "contact",
                "received_on": (known - timedelta(days=3)).date().isoformat(),
                "answered_on": (known - timedelta(days=1)).date().isoformat(),
                "emails": [ANNA],
                "categories": ["identification"],
            },
        ),
        actor="test",
    )
    create_transfer(
        pledge,
        parse(
            TransferIn,
            {
                "buyer": "Acme",
                "transferred_on": known.date().isoformat(),
                "categories": ["identification"],
            },
        ),
        actor="test",
    )
    breach = create_breach(
        pledge,
        parse(
            BreachIn,
            {"summary": "lost", "known_at": known.isoformat(), "categories": ["identification"]},
        ),
        actor="test",
    )
    decision = {
        "notify_authority": False,
        "authority_reason": "no risk",
        "notify_people": True,
        "people_reason": "fairness",
        "people_notice": "We lost a backup tape.",
    }
    decide(pledge, breach.id, parse(DecisionIn, decision), actor="test")
    assert notify_breach(pledge, breach.id, actor="test") == 1


def test_each_register_goes_after_its_own_period(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA))
    known = utcnow() - timedelta(days=1)
    fill(pledge, known)
    kept = run_retention(pledge, as_of=add_months(known, 59))
    assert dict(kept.registers) == {}
    # Five years after the breach: only the breach is due (legal requests and transfers: 6).
    five = run_retention(pledge, as_of=add_months(known, 60) + timedelta(days=1), dry_run=True)
    assert dict(five.registers) == {"breaches": 1}
    assert count(pledge, Breach) == 1  # a dry run changes nothing
    assert dict(run_retention(pledge, as_of=add_months(known, 61)).registers) == {"breaches": 1}
    assert count(pledge, RegisterNotice) == 0
    six = run_retention(pledge, as_of=add_months(known, 73))
    assert dict(six.registers) == {"legal_requests": 1, "business_transfers": 1}
    for model in (Breach, BusinessTransfer, LegalRequest, LegalRequestSubject):
        assert count(pledge, model) == 0, model
    assert [d["removed"] for _, d in audit_of(pledge, "registers.expired")] == [1, 1, 1]
    assert "register entries: 2" in "\n".join(six.lines())


def test_the_retention_command_reports_the_registers(
    pledge: Pledge, client: TestClient, system_key: str, cli: CliRunner
) -> None:
    post_records(client, system_key, identification(ANNA))
    fill(pledge, utcnow() - timedelta(days=1))
    far = (utcnow() + timedelta(days=8 * 366)).strftime("%Y-%m-%d")
    ran = cli.invoke(cli_app, ["retention", "run", "--as-of", far])
    assert ran.exit_code == 0, ran.output
    assert "register entries: 3 (breaches 1, business_transfers 1, legal_requests 1)" in ran.output
