"""``pledge requests create`` through the real command runner, on both databases.

The command takes what the API takes (``--match``, ``--correction``, agent
options, ``--channel``); the person is mailed the same code, and a bad value
is named with its option, exits 1 and stores nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.db.models import Delivery, RightsRequest
from pledge.jobs import deliver_outbox
from pledge.records import records_for_email
from pledge.rights import detail
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import CODE, EMAIL, PHONE, collect, confirm, mailed_code

AGENT = "agent.smith@agency.example"
PERMISSION = "I authorise Agent Smith to ask for my data on my behalf. Signed, W. Quartermaine."


@pytest.fixture
def cli(mailer: Pledge, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command's environment: the test's database, key and SMTP server."""
    monkeypatch.setenv("PLEDGE_DATABASE_URL", mailer.settings.database_url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", mailer.settings.master_key or "")
    monkeypatch.setenv("PLEDGE_SMTP_URL", smtp.url)
    return CliRunner()


def create(cli: CliRunner, *args: str, email: str = EMAIL, country: str = "FR") -> Result:
    command = ["requests", "create", "--email", email, "--country", country, *args]
    return cli.invoke(cli_app, command)


def created(result: Result) -> dict[str, str]:
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    return {"id": lines[0].split()[1], "token": lines[-1]}


def stored(pledge: Pledge) -> tuple[int, int]:
    with pledge.sessions() as session:
        requests = session.scalar(select(func.count()).select_from(RightsRequest)) or 0
        mails = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return int(requests), int(mails)


def test_an_erasure_by_phone_with_a_matching_phone_is_carried_out(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, cli: CliRunner
) -> None:
    collect(web, system_key)
    result = create(cli, "--type", "erasure", "--channel", "phone", "--match", f"phone={PHONE}")
    request = created(result)
    assert request["token"].startswith("rq_")
    assert EMAIL not in result.output
    assert PHONE not in result.output
    assert detail(mailer, request["id"], reader=None).method == "phone"
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert (done["status"], done["verification"]) == ("completed", "full"), done
    assert records_for_email(mailer, EMAIL) == []


def test_a_rectification_carries_its_corrections_to_staff(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, cli: CliRunner
) -> None:
    collect(web, system_key)
    request = created(
        create(
            cli,
            "--type",
            "rectification",
            "--method",  # the old name of --channel still works
            "post",
            "--match",
            f"phone={PHONE}",
            "--correction",
            "company=Quartermaine Mills",
        )
    )
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert done["status"] == "awaiting_review"
    corrections = detail(mailer, request["id"], reader="test").corrections
    assert corrections is not None
    assert [(c.field, c.proposed) for c in corrections] == [("company", "Quartermaine Mills")]
    assert [h.value for h in corrections[0].held] == ["Quartermaine Looms"]


@pytest.mark.parametrize("as_file", [True, False])
def test_an_agent_is_acknowledged_and_the_person_gets_the_code(
    mailer: Pledge, smtp: SmtpServer, cli: CliRunner, tmp_path: Path, as_file: bool
) -> None:
    permission = PERMISSION
    if as_file:
        path = tmp_path / "permission.txt"
        path.write_text(PERMISSION)
        permission = str(path)
    agent = ["--agent-name", "Agent Smith", "--agent-email", AGENT]
    created(create(cli, "--type", "access", *agent, "--agent-permission", permission))
    deliver_outbox(mailer)
    (code_mail,) = [m for m in smtp.messages_to(EMAIL) if CODE.search(m.body)]
    assert "authorized agent" in code_mail.body
    assert [m for m in smtp.messages_to(AGENT) if "We received" in m.message["Subject"]]


BAD: list[tuple[list[str], str]] = [
    (["--type", "erasure", "--match", "phone"], "--match: give FIELD=VALUE"),
    (["--type", "erasure", "--match", f"email={EMAIL}"], "--match email:"),
    (["--type", "erasure", "--match", "shoe_size=44"], "not a detail the policy accepts"),
    (["--type", "erasure", "--match", "phone=123 abc"], "--match phone: not a phone number"),
    (["--type", "rectification", "--correction", "company"], "--correction: give FIELD=VALUE"),
    (
        ["--type", "rectification", "--correction", "favourite_colour=blue"],
        "--correction favourite_colour: not a field of your data",
    ),
    (
        ["--type", "rectification", "--correction", "email=nope"],
        "--correction email: not a valid email",
    ),
    (["--type", "access", "--correction", "company=Mills"], "--correction: only for type"),
    (["--type", "access", "--channel", "fax"], "--channel: one of phone, post, email, in_person"),
    (["--type", "world_peace"], "--type:"),
    (["--type", "opt_out_marketing", "--language", "klingon"], "--language: one of en, de"),
    (["--type", "access", "--agent-name", "Smith"], "--agent-permission:"),
    (
        ["--type", "access", "--agent-name", "Smith", "--agent-permission", PERMISSION],
        "--agent-email:",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_a_bad_value_is_named_exits_1_and_stores_nothing(
    mailer: Pledge, cli: CliRunner, args: list[str], message: str
) -> None:
    before = stored(mailer)
    result = create(cli, *args)
    assert result.exit_code == 1, result.output
    assert "nothing was recorded" in result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert stored(mailer) == before


def test_a_bad_country_and_address_are_both_named(mailer: Pledge, cli: CliRunner) -> None:
    result = create(cli, "--type", "access", email="nope", country="France")
    assert result.exit_code == 1
    assert "--email:" in result.output
    assert "--country:" in result.output
    assert stored(mailer) == (0, 0)


def test_list_filters_by_type_and_open(mailer: Pledge, cli: CliRunner) -> None:
    erasure = created(create(cli, "--type", "erasure"))["id"]
    access = created(create(cli, "--type", "access"))["id"]
    only = cli.invoke(cli_app, ["requests", "list", "--type", "erasure", "--status", "open"])
    assert only.exit_code == 0, only.output
    assert erasure in only.output
    assert access not in only.output


def test_a_request_entered_with_language_de_is_mailed_in_german(
    mailer: Pledge, smtp: SmtpServer, cli: CliRunner
) -> None:
    created(create(cli, "--type", "opt_out_marketing", "--language", "de"))
    deliver_outbox(mailer)
    subjects = [m.message["Subject"] for m in smtp.messages_to(EMAIL)]
    assert "Ihr Bestätigungscode" in subjects
