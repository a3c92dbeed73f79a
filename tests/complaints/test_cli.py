"""``pledge complaints create`` and ``list`` through the real CLI runner."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pledge import complaints
from pledge.cli.main import app as cli
from pledge.core import Pledge
from tests.complaints.conftest import EMAIL, TEXT, mails_to
from tests.integration.smtp_server import SmtpServer


@pytest.fixture
def runner(mailer: Pledge, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on the test's database, mailing to the test's SMTP server."""
    monkeypatch.setenv("PLEDGE_DATABASE_URL", mailer.settings.database_url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", mailer.settings.master_key or "")
    monkeypatch.setenv("PLEDGE_SMTP_URL", mailer.settings.smtp_url or "")
    return CliRunner()


def test_a_complaint_by_post_is_confirmed_and_listed(
    mailer: Pledge, smtp: SmtpServer, runner: CliRunner
) -> None:
    made = runner.invoke(
        cli,
        [
            "complaints",
            "create",
            "--email",
            EMAIL,
            "--country",
            "DE",
            "--text",
            TEXT,
            "--method",
            "post",
            "--language",
            "de",
        ],
    )
    assert made.exit_code == 0, made.output
    complaint_id = made.output.strip().splitlines()[-1]
    (item,) = complaints.listing(mailer)
    assert (item.id, item.method, item.verified, item.country) == (complaint_id, "post", True, "DE")
    receipt = mails_to(mailer, smtp)[-1]
    assert "Beschwerde" in receipt
    listed = runner.invoke(cli, ["complaints", "list", "--state", "received"])
    assert listed.exit_code == 0, listed.output
    assert complaint_id in listed.output
    assert EMAIL not in listed.output
    assert TEXT not in listed.output


def test_bad_input_names_the_option_and_stores_nothing(mailer: Pledge, runner: CliRunner) -> None:
    for args, field in (
        (["--email", "nobody", "--country", "FR", "--text", TEXT], "email"),
        (["--email", EMAIL, "--country", "FR", "--text", " "], "text"),
        (["--email", EMAIL, "--country", "FR", "--text", TEXT, "--method", "fax"], "method"),
    ):
        result = runner.invoke(cli, ["complaints", "create", *args])
        assert result.exit_code == 1, result.output
        assert field in result.output
    assert complaints.listing(mailer) == []
