"""Each view of a register's sealed text is one audited read (issue #15 item 4, the registers).

A legal request's scope and the people concerned, a breach's summary and
reasons, a transfer's note: every console page, API answer and CSV export
that shows them leaves one ``personal_data.read`` entry naming the reader,
the entry (or ``list``) and the form, never a value; a search that finds
nothing and a CLI listing without ``--csv`` show none and record none.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pledge.audit import READ
from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from tests.registers.conftest import ANNA, audit_of, browser, identification, post_records
from tests.registers.test_legal_requests import body as legal_request
from tests.registers.test_registers_api import breach, transfer
from tests.web.conftest import auth

SECRETS = ("Contact details of Anna Lindqvist", "CRM export", "Asset deal", ANNA)
WHAT = ("legal_request_scope", "breach_text", "transfer_note")


def reads(pledge: Pledge) -> list[tuple[str, str, dict[str, Any]]]:
    """(what, form, details) of every read entry of the registers, oldest first."""
    found = []
    for _, details in audit_of(pledge, READ):
        assert not any(secret in str(details) for secret in SECRETS)
        if details["what"] in WHAT:
            found.append((details["what"], details["form"], details))
    return found


def make_all(client: TestClient, admin_key: str, system_key: str) -> dict[str, str]:
    post_records(client, system_key, identification(ANNA))
    routes = {
        "legal-requests": legal_request(),
        "breaches": breach(),
        "transfers": transfer(categories=["identification"]),
    }
    made = {}
    for name, sent in routes.items():
        answer = client.post(f"/api/v1/admin/{name}", json=sent, headers=auth(admin_key))
        assert answer.status_code == 201, answer.text
        made[name] = answer.json()["id"]
    return made


def test_console_pages_and_exports_each_leave_one_read(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str
) -> None:
    made = make_all(client, admin_key, system_key)
    assert reads(pledge) == []  # the creator's own answer shows only what they sent
    officer = browser(pledge, client, "privacy_officer")
    for name, entry_id in made.items():
        assert officer.get(f"/admin/{name}").status_code == 200
        assert officer.get(f"/admin/{name}/{entry_id}").status_code == 200
        assert officer.get(f"/admin/{name}.csv").status_code == 200
        assert officer.get(f"/admin/{name}", params={"q": "zzz-nothing"}).status_code == 200
    found = [(what, form) for what, form, _ in reads(pledge)]
    assert found == [(what, form) for what in WHAT for form in ("page", "page", "csv")]
    entries = [d for _, _, d in reads(pledge)]
    assert all(d["entries"] == 1 for d in entries)


def test_api_answers_leave_one_read_each(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str
) -> None:
    made = make_all(client, admin_key, system_key)
    for name, entry_id in made.items():
        assert client.get(f"/api/v1/admin/{name}", headers=auth(admin_key)).status_code == 200
        one = client.get(f"/api/v1/admin/{name}/{entry_id}", headers=auth(admin_key))
        assert one.status_code == 200
        assert client.get(f"/api/v1/admin/{name}/nope", headers=auth(admin_key)).status_code == 404
    notice = client.post(
        f"/api/v1/admin/legal-requests/{made['legal-requests']}/notice",
        json={"notify_allowed": True},
        headers=auth(admin_key),
    )
    assert notice.status_code == 200
    found = [(what, form) for what, form, _ in reads(pledge)]
    assert found == [(what, "json") for what in WHAT for _ in (1, 2)] + [(WHAT[0], "json")]


def test_cli_csv_exports_leave_one_read_each(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str, cli: CliRunner
) -> None:
    make_all(client, admin_key, system_key)
    for command in ("legal-requests", "breaches", "transfers"):
        assert cli.invoke(cli_app, [command, "list"]).exit_code == 0
        exported = cli.invoke(cli_app, [command, "list", "--csv"])
        assert exported.exit_code == 0, exported.output
    found = [(what, form, d["entries"]) for what, form, d in reads(pledge)]
    assert found == [(what, "csv", 1) for what in WHAT]
