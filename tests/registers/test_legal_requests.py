"""The legal-request register: API, console, CLI; each disclosure in the person's log.

Both databases. The "disclosures" answer is read through the real intake,
verified with the code mailed to a local SMTP server.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.db.models import Disclosure, LegalRequest, LegalRequestSubject
from tests.integration.smtp_server import SmtpServer
from tests.registers.conftest import (
    ANNA,
    BRUNO,
    audit_of,
    browser,
    count,
    identification,
    post_records,
    token_of,
)
from tests.rights.conftest import ask, confirm, mailed_code
from tests.staff_accounts import csrf_of
from tests.web.conftest import auth

BASE = "/api/v1/admin/legal-requests"


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "authority": "Police nationale, Paris",
        "reference": "PN-2027-0042",
        "legal_basis": "Code de procédure pénale, art. 60-1",
        "scope": "Contact details of Anna Lindqvist",
        "received_on": "2027-01-04",
        "answered_on": "2027-01-06",
        "emails": [ANNA],
        "categories": ["identification"],
        **overrides,
    }


def disclosures_answer(pledge: Pledge, smtp: SmtpServer, web: TestClient, email: str) -> Any:
    request = ask(web, type="disclosures", email=email)
    return confirm(web, request, mailed_code(pledge, smtp, email))["result"]


def test_the_api_records_a_request_and_the_person_sees_the_disclosure(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, admin_key: str, system_key: str
) -> None:
    anna = post_records(web, system_key, identification(ANNA))[0]
    made = web.post(BASE, json=body(), headers=auth(admin_key))
    assert made.status_code == 201, made.text
    entry = made.json()
    assert entry["subject_ids"] == [anna["subject_id"]]
    assert ANNA not in made.text
    assert entry["scope"] == body()["scope"]

    listed = web.get(BASE, params={"search": "pn-2027"}, headers=auth(admin_key)).json()
    assert [r["id"] for r in listed["legal_requests"]] == [entry["id"]]
    assert web.get(BASE, params={"search": "gendarmerie"}, headers=auth(admin_key)).json() == {
        "legal_requests": []
    }
    one = web.get(f"{BASE}/{entry['id']}", headers=auth(admin_key))
    assert one.json()["authority"] == "Police nationale, Paris"
    assert web.get(f"{BASE}/nope", headers=auth(admin_key)).status_code == 404

    result = disclosures_answer(mailer, smtp, web, ANNA)
    assert [r["id"] for r in result["recipients"]] == ["public_authorities"]
    with mailer.sessions() as session:
        scope = session.query(LegalRequest.scope_ciphertext).scalar()
    assert b"Lindqvist" not in scope
    assert [a for a, _ in audit_of(mailer, "legal_requests.")] == ["legal_requests.created"]
    assert all(ANNA not in str(d) for _, d in audit_of(mailer, ""))


def test_bad_input_names_the_field_and_writes_nothing(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA))
    cases = {
        "emails[1]": body(emails=[ANNA, "nobody@example.org"]),
        "categories[0]": body(categories=["horoscope"]),
        "answered_on": body(answered_on="2026-12-31"),
        "notify_after": body(notify_allowed=False, notify_after="2027-06-01"),
        "authority": body(authority="   "),
        "received_on": body(received_on="yesterday"),
        "emails": body(emails=[]),
    }
    for field, sent in cases.items():
        response = client.post(BASE, json=sent, headers=auth(admin_key))
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["error"]["fields"], (field, response.text)
        assert "nobody@example.org" not in response.text
    assert count(pledge, LegalRequest) == 0
    assert count(pledge, Disclosure) == 0
    assert client.post(BASE, json=body()).status_code == 401
    assert client.post(BASE, json=body(), headers=auth(system_key)).status_code == 403
    assert client.get(BASE, headers=auth(system_key)).status_code == 403


def test_a_gag_hides_the_disclosure_until_it_is_lifted(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, admin_key: str, system_key: str
) -> None:
    post_records(web, system_key, identification(ANNA), identification(BRUNO))
    made = web.post(
        BASE, json=body(emails=[ANNA, BRUNO, ANNA], notify_allowed=False), headers=auth(admin_key)
    )
    assert made.status_code == 201, made.text
    assert len(made.json()["subject_ids"]) == 2
    assert count(mailer, LegalRequestSubject) == 2
    assert disclosures_answer(mailer, smtp, web, ANNA)["recipients"] == []

    later = web.post(
        f"{BASE}/{made.json()['id']}/notice",
        json={"notify_allowed": True, "notify_after": "2999-01-01"},
        headers=auth(admin_key),
    )
    assert later.status_code == 200, later.text
    assert disclosures_answer(mailer, smtp, web, ANNA)["recipients"] == []
    now = web.post(
        f"{BASE}/{made.json()['id']}/notice",
        json={"notify_allowed": True},
        headers=auth(admin_key),
    )
    assert now.status_code == 200
    recipients = disclosures_answer(mailer, smtp, web, BRUNO)["recipients"]
    assert [r["id"] for r in recipients] == ["public_authorities"]


def test_the_console_lists_searches_records_and_exports(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA))
    officer = browser(pledge, client, "privacy_officer")
    form = officer.get("/admin/legal-requests/new")
    assert form.status_code == 200
    fields = {
        "csrf": csrf_of(form.text),
        "form_token": token_of(form.text),
        "authority": "Police nationale, Paris",
        "reference": "PN-2027-0042",
        "legal_basis": "CPP art. 60-1",
        "scope": "Contact details",
        "received_on": "2027-01-04",
        "emails": f"{ANNA}\nnobody@example.org",
        "category:identification": "1",
    }
    bad = officer.post("/admin/legal-requests", data=fields)
    assert bad.status_code == 422
    assert 'id="emails-error"' in bad.text
    assert count(pledge, LegalRequest) == 0
    fields["form_token"] = token_of(bad.text)  # the page shown again carries a new one
    done = officer.post("/admin/legal-requests", data={**fields, "emails": ANNA})
    assert done.status_code == 200, done.text
    assert "The legal request is recorded." in done.text
    assert ANNA not in done.text
    replay = officer.post("/admin/legal-requests", data={**fields, "emails": ANNA})
    assert replay.status_code == 409
    listed = officer.get("/admin/legal-requests", params={"q": "PN-2027"})
    assert "Police nationale" in listed.text
    assert (
        "No legal request matches."
        in officer.get("/admin/legal-requests", params={"q": "gendarmerie"}).text
    )
    exported = officer.get("/admin/legal-requests.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0].startswith("id,authority,reference")
    assert "PN-2027-0042" in exported.text

    auditor = browser(pledge, client, "auditor")
    page = auditor.get("/admin/legal-requests")
    assert page.status_code == 200
    assert "Record a legal request" not in page.text
    assert auditor.get("/admin/legal-requests/new").status_code == 403
    assert browser(pledge, client, "support").get("/admin/legal-requests").status_code == 403


def test_the_cli_records_and_lists(client: TestClient, system_key: str, cli: CliRunner) -> None:
    post_records(client, system_key, identification(ANNA))
    runner = cli
    args = ["legal-requests", "create", "--authority", "Police nationale", "--reference", "R-1"]
    args += ["--legal-basis", "CPP 60-1", "--scope", "contact details", "--received"]
    args += ["2027-01-04", "--email", ANNA, "--category", "identification", "--no-notify"]
    made = runner.invoke(cli_app, args)
    assert made.exit_code == 0, made.output
    request_id = made.output.strip().splitlines()[-1]
    listed = runner.invoke(cli_app, ["legal-requests", "list"])
    assert listed.exit_code == 0
    assert request_id in listed.output
    assert "gagged" in listed.output
    exported = runner.invoke(cli_app, ["legal-requests", "list", "--csv", "--search", "R-1"])
    assert exported.output.splitlines()[0].startswith("id,authority")
    unknown = runner.invoke(cli_app, [*args, "--category", "horoscope"])
    assert unknown.exit_code == 1
    assert "categories[1]" in unknown.output
