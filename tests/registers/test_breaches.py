"""The breach register and business transfers: the clock, the count, the decision, the notices.

Both databases. Notices go through the outbox to a local SMTP server; a second
run mails nobody twice, and a run cut into small batches tells everyone once.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Breach, RegisterNotice
from pledge.errors import Conflict, ValidationFailed
from pledge.jobs import deliver_outbox
from pledge.registers.breaches import BreachIn, DecisionIn, create_breach, decide, notify_breach
from pledge.registers.common import parse
from pledge.registers.transfers import TransferIn, create_transfer, notify_transfer
from tests.integration.smtp_server import SmtpServer
from tests.registers.conftest import (
    ANNA,
    BRUNO,
    CARLA,
    application,
    audit_of,
    count,
    identification,
    post_records,
)

NOTICE = "Change your password; we have reset every session."


def people(client: TestClient, system_key: str) -> None:
    post_records(client, system_key, identification(ANNA), identification(BRUNO))
    post_records(client, system_key, application(CARLA))


def test_a_breach_counts_the_people_and_keeps_the_clock(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    people(client, system_key)
    known = utcnow() - timedelta(hours=80)
    breach = create_breach(
        pledge,
        parse(
            BreachIn,
            {
                "summary": "CRM export left public",
                "known_at": known.isoformat(),
                "categories": ["identification"],
            },
        ),
        actor="test",
    )
    assert breach.affected == 2  # Anna and Bruno; Carla's application is not concerned
    assert breach.deadline == known + timedelta(hours=72)
    assert breach.overdue()
    with pledge.sessions() as session:
        assert b"CRM" not in session.scalars(select(Breach.summary_ciphertext)).one()
    decided = decide(
        pledge,
        breach.id,
        parse(
            DecisionIn,
            {
                "notify_authority": True,
                "authority_reason": "risk to rights",
                "notify_people": False,
                "people_reason": "encrypted export",
                "authority_told_at": utcnow().isoformat(),
            },
        ),
        actor="test",
    )
    assert not decided.overdue()
    try:
        notify_breach(pledge, breach.id, actor="test")
    except Conflict:
        pass
    else:
        raise AssertionError("notices without a decision to notify")
    bad = [
        {
            "summary": "x",
            "known_at": (utcnow() + timedelta(days=2)).isoformat(),
            "categories": ["identification"],
        },
        {"summary": "x", "known_at": known.isoformat(), "categories": ["horoscope"]},
    ]
    fields = []
    for data in bad:
        try:
            create_breach(pledge, parse(BreachIn, data), actor="test")
        except ValidationFailed as exc:
            fields.extend(exc.fields)
    assert fields == ["known_at", "categories[0]"]
    assert count(pledge, Breach) == 1
    actions = [a for a, _ in audit_of(pledge, "breaches.")]
    assert actions == ["breaches.created", "breaches.decided"]


def test_breach_notices_go_once_each_in_batches(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    people(client, system_key)
    breach = create_breach(
        mailer,
        parse(
            BreachIn,
            {
                "summary": "laptop stolen",
                "known_at": utcnow().isoformat(),
                "categories": ["identification", "employment_application"],
            },
        ),
        actor="test",
    )
    assert breach.affected == 3
    decide(
        mailer,
        breach.id,
        parse(
            DecisionIn,
            {
                "notify_authority": False,
                "authority_reason": "unlikely risk",
                "notify_people": True,
                "people_reason": "they can act",
                "people_notice": NOTICE,
            },
        ),
        actor="test",
    )
    assert notify_breach(mailer, breach.id, actor="test", batch=1) == 3
    assert notify_breach(mailer, breach.id, actor="test", batch=2) == 0  # nobody twice
    deliver_outbox(mailer)
    for email in (ANNA, BRUNO, CARLA):
        (mail,) = [m for m in smtp.messages_to(email) if NOTICE in m.body]
        assert "security incident" in str(mail.message["Subject"])
    assert count(mailer, RegisterNotice) == 3
    queued = [d for a, d in audit_of(mailer, "breaches.notices_queued")]
    assert sum(d["mails"] for d in queued) == 3
    assert all("@" not in str(d) for _, d in audit_of(mailer, "breach"))


def test_a_transfer_tells_the_people_whose_data_moved(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    people(client, system_key)
    made = create_transfer(
        mailer,
        parse(
            TransferIn,
            {
                "buyer": "Acme Holdings",
                "transferred_on": "2027-03-01",
                "categories": ["employment_application"],
            },
        ),
        actor="test",
    )
    assert made.affected == 1
    assert notify_transfer(mailer, made.id, actor="test") == 1
    assert notify_transfer(mailer, made.id, actor="test") == 0
    deliver_outbox(mailer)
    (mail,) = smtp.messages_to(CARLA)
    assert "Acme Holdings" in mail.body
    assert smtp.messages_to(ANNA) == []


def test_the_breach_and_transfer_commands(
    pledge: Pledge, client: TestClient, system_key: str, cli: CliRunner
) -> None:
    people(client, system_key)
    known = (utcnow() - timedelta(hours=1)).isoformat()
    made = cli.invoke(
        cli_app,
        [
            "breaches",
            "create",
            "--summary",
            "stolen laptop",
            "--known-at",
            known,
            "--category",
            "identification",
        ],
    )
    assert made.exit_code == 0, made.output
    breach_id = made.output.strip().splitlines()[-1]
    assert "people affected 2" in made.output
    refused = cli.invoke(cli_app, ["breaches", "notify", breach_id])
    assert refused.exit_code == 1
    decided = cli.invoke(
        cli_app,
        [
            "breaches",
            "decide",
            breach_id,
            "--notify-authority",
            "--authority-reason",
            "risk",
            "--notify-people",
            "--people-reason",
            "high risk",
        ],
    )
    assert decided.exit_code == 1
    assert "people_notice" in decided.output
    decided = cli.invoke(
        cli_app,
        [
            "breaches",
            "decide",
            breach_id,
            "--notify-authority",
            "--authority-reason",
            "risk",
            "--notify-people",
            "--people-reason",
            "high risk",
            "--people-notice",
            NOTICE,
        ],
    )
    assert decided.exit_code == 0, decided.output
    sent = cli.invoke(cli_app, ["breaches", "notify", breach_id])
    assert sent.output.strip() == "notices queued: 2"
    listed = cli.invoke(cli_app, ["breaches", "list"])
    assert breach_id in listed.output
    assert "authority not told yet" in listed.output
    exported = cli.invoke(cli_app, ["breaches", "list", "--csv"])
    assert exported.output.splitlines()[0].startswith("id,known_at,authority_deadline")
    moved = cli.invoke(
        cli_app,
        [
            "transfers",
            "create",
            "--buyer",
            "Acme",
            "--date",
            "2027-03-01",
            "--category",
            "identification",
        ],
    )
    assert moved.exit_code == 0, moved.output
    transfer_id = moved.output.strip().splitlines()[-1]
    told = cli.invoke(cli_app, ["transfers", "notify", transfer_id])
    assert told.output.strip() == "notices queued: 2"
    assert "told=2" in cli.invoke(cli_app, ["transfers", "list"]).output
