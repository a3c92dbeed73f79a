"""Background checks and hires handed over to processors' APIs (``kind: http``): two example
processors (real HTTP, real SQLite files) take them through the protocol's ``hand_over``."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.check import check_live, check_systems
from pledge.connectors.load import read_systems
from pledge.connectors.registry import Systems
from pledge.core import Pledge
from pledge.db.models import AuditEntry, Disclosure
from pledge.records.service import records_for_email
from pledge.recruiting.hand_overs import background_check, hire
from tests.connectors.http_support import SECRET, free_port, hanging, rows, running_crm
from tests.recruiting.conftest import apply
from tests.site_forms.helpers import pdf

EMAIL = "ada.applies@example.org"
PHONE = "+33 6 12 34 56 78"

SYSTEMS_YAML = """\
systems:
  checks:
    kind: http
    url_env: RECRUIT_TEST_CHECKS_URL
    secret_env: RECRUIT_TEST_CHECKS_SECRET
    recipient: background_check_providers
    timeout_seconds: {timeout}
    collections: {{}}
    hand_over:
      background_check:
        columns: {{full_name: name, email: email, country: country, resume: resume.content,
                   resume_media_type: resume.media_type}}
  hr:
    kind: http
    url_env: RECRUIT_TEST_HR_URL
    secret_env: RECRUIT_TEST_HR_SECRET
    recipient: recruitment_providers
    collections: {{}}
    hand_over:
      employee_record:
        columns: {{full_name: name, email: email, phone: phone, position: position,
                   resume: resume.content, resume_name: resume.filename,
                   resume_sha256: resume.sha256}}
"""


@dataclass
class Processors:
    """The background-check processor and the HR system, each an example processor."""

    checks: Path
    hr: Path
    declared: Path
    environ: dict[str, str]

    def taken(self, db: Path) -> list[tuple[str, str, dict[str, Any]]]:
        found = rows(db, "SELECT kind, reference, fields FROM hand_overs ORDER BY received_at")
        return [(kind, reference, json.loads(fields)) for kind, reference, fields in found]


@pytest.fixture
def processors(
    tmp_path: Path, pledge: Pledge, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Processors]:
    with ExitStack() as stack:
        checks = stack.enter_context(running_crm(tmp_path / "checks.sqlite"))
        hr = stack.enter_context(running_crm(tmp_path / "hr.sqlite"))
        environ = {
            "RECRUIT_TEST_CHECKS_URL": checks.url,
            "RECRUIT_TEST_CHECKS_SECRET": SECRET,
            "RECRUIT_TEST_HR_URL": hr.url,
            "RECRUIT_TEST_HR_SECRET": SECRET,
        }
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        declared = tmp_path / "systems.yaml"
        declared.write_text(SYSTEMS_YAML.format(timeout=5), encoding="utf-8")
        pledge.settings.systems = declared
        pledge.forget_state(Systems)
        try:
            yield Processors(checks.db, hr.db, declared, environ)
        finally:
            pledge.state(Systems, lambda: Systems.load(None)).close()


def _reload(pledge: Pledge) -> None:
    pledge.forget_state(Systems)


def _disclosures(pledge: Pledge) -> list[tuple[str, str]]:
    with pledge.sessions() as session:
        found = session.scalars(select(Disclosure)).all()
        return [(d.recipient_id, d.purpose) for d in found]


def test_the_declaration_passes_the_checks(pledge: Pledge, processors: Processors) -> None:
    systems, problems, locate = read_systems(processors.declared)
    assert systems is not None, problems
    assert check_systems(pledge.policy, systems, processors.environ, locate) == []
    assert check_live(systems, processors.environ, locate) == []


def test_a_background_check_goes_to_the_processor_once_and_is_a_disclosure(
    pledge: Pledge, client: TestClient, processors: Processors
) -> None:
    record_id = apply(client, pledge, EMAIL, phone=PHONE)
    first = background_check(pledge, record_id, actor="staff:r")
    again = background_check(pledge, record_id, actor="staff:r")  # a double click
    assert (first.written, again.written) == (True, False)
    assert (first.system_id, first.recipient, first.table) == (
        "checks",
        "background_check_providers",
        None,
    )
    [(kind, reference, fields)] = processors.taken(processors.checks)
    assert (kind, reference) == ("background_check", record_id)
    assert set(fields) == {"full_name", "email", "country", "resume", "resume_media_type"}
    assert (fields["full_name"], fields["email"], fields["country"]) == ("Ada Example", EMAIL, "FR")
    assert base64.b64decode(fields["resume"]) == pdf()
    assert fields["resume_media_type"] == "application/pdf"
    assert PHONE not in json.dumps(fields)  # not declared for checks: never sent
    assert processors.taken(processors.hr) == []
    assert _disclosures(pledge) == [("background_check_providers", "background_checks")]
    with pledge.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "recruiting.background_check")
        ).all()
    assert [e.details for e in entries] == [
        {"system": "checks", "written": True},
        {"system": "checks", "written": False},
    ]
    assert records_for_email(pledge, EMAIL)  # the application stays for the decision


def test_a_hire_goes_to_the_employee_record_then_the_applicant_is_erased(
    pledge: Pledge, client: TestClient, processors: Processors
) -> None:
    record_id = apply(client, pledge, EMAIL, phone=PHONE)
    hired = hire(pledge, record_id, actor="staff:r")
    assert hired.handed.written
    assert (hired.records_deleted, hired.key_destroyed) == (1, True)
    [(kind, reference, fields)] = processors.taken(processors.hr)
    assert (kind, reference) == ("employee_record", record_id)
    assert (fields["full_name"], fields["email"], fields["phone"], fields["position"]) == (
        "Ada Example",
        EMAIL,
        PHONE,
        "backend-2027",
    )
    assert base64.b64decode(fields["resume"]) == pdf()
    assert fields["resume_name"] == "cv.pdf"
    assert fields["resume_sha256"] == hashlib.sha256(pdf()).hexdigest()
    assert records_for_email(pledge, EMAIL) == []


def test_a_wrong_secret_is_a_misdeclaration_and_nothing_moves(
    pledge: Pledge, client: TestClient, processors: Processors, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = apply(client, pledge, EMAIL)
    monkeypatch.setenv("RECRUIT_TEST_CHECKS_SECRET", "not-" + SECRET)
    monkeypatch.setenv("RECRUIT_TEST_HR_SECRET", "not-" + SECRET)
    _reload(pledge)
    with pytest.raises(SystemMisdeclared, match=r"^checks: .*HTTP 401") as check_refused:
        background_check(pledge, record_id, actor="staff:r")
    with pytest.raises(SystemMisdeclared, match=r"^hr: .*HTTP 401") as hire_refused:
        hire(pledge, record_id, actor="staff:r")
    for refused in (check_refused, hire_refused):
        assert EMAIL not in str(refused.value)
        assert SECRET not in str(refused.value)
    assert processors.taken(processors.checks) == processors.taken(processors.hr) == []
    assert _disclosures(pledge) == []
    assert records_for_email(pledge, EMAIL)


def test_an_unreachable_or_hanging_processor_is_unavailable_and_nothing_moves(
    pledge: Pledge, client: TestClient, processors: Processors, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = apply(client, pledge, EMAIL)
    monkeypatch.setenv("RECRUIT_TEST_HR_URL", f"http://127.0.0.1:{free_port()}/")
    _reload(pledge)
    with pytest.raises(SystemUnavailable) as down:
        hire(pledge, record_id, actor="staff:r")
    assert (down.value.system_id, down.value.reason) == ("hr", "ConnectError")
    assert records_for_email(pledge, EMAIL)  # nothing deleted here
    processors.declared.write_text(SYSTEMS_YAML.format(timeout=0.5), encoding="utf-8")
    with hanging() as url:
        monkeypatch.setenv("RECRUIT_TEST_CHECKS_URL", url)
        _reload(pledge)
        with pytest.raises(SystemUnavailable) as slow:
            background_check(pledge, record_id, actor="staff:r")
    assert (slow.value.system_id, slow.value.reason) == ("checks", "ReadTimeout")
    assert _disclosures(pledge) == []
    # Back up: the retry hands each over once.
    monkeypatch.setenv("RECRUIT_TEST_CHECKS_URL", processors.environ["RECRUIT_TEST_CHECKS_URL"])
    monkeypatch.setenv("RECRUIT_TEST_HR_URL", processors.environ["RECRUIT_TEST_HR_URL"])
    _reload(pledge)
    assert background_check(pledge, record_id, actor="staff:r").written
    assert hire(pledge, record_id, actor="staff:r").handed.written
    assert len(processors.taken(processors.checks)) == len(processors.taken(processors.hr)) == 1


def test_an_attribute_the_processor_does_not_take_is_a_misdeclaration(
    pledge: Pledge, client: TestClient, processors: Processors
) -> None:
    record_id = apply(client, pledge, EMAIL)
    text = SYSTEMS_YAML.format(timeout=5).replace(
        "{full_name: name, email: email, phone: phone,",
        "{full_name: name, notes: additional_information, email: email, phone: phone,",
    )
    processors.declared.write_text(text, encoding="utf-8")
    _reload(pledge)
    systems, problems, locate = read_systems(processors.declared)
    assert systems is not None, problems
    assert check_systems(pledge.policy, systems, processors.environ, locate) == []
    assert [str(p) for p in check_live(systems, processors.environ, locate)] == [
        "systems.hr.hand_over.employee_record.columns.notes: "
        "the processor does not know this attribute"
    ]
    with pytest.raises(SystemMisdeclared, match=r"^hr: .*HTTP 422"):
        hire(pledge, record_id, actor="staff:r")
    assert processors.taken(processors.hr) == []
    assert records_for_email(pledge, EMAIL)


def test_the_console_says_a_processor_is_down_and_changes_nothing(
    pledge: Pledge, client: TestClient, processors: Processors, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.recruiting.conftest import csrf, signed_in

    record_id = apply(client, pledge, EMAIL)
    monkeypatch.setenv("RECRUIT_TEST_CHECKS_URL", f"http://127.0.0.1:{free_port()}/")
    _reload(pledge)
    recruiter = signed_in(client, pledge, "recruiter")
    answer = recruiter.post(
        f"/admin/recruiting/applications/{record_id}/background-check",
        data={"csrf": csrf(recruiter)},
    )
    assert answer.status_code == 503
    assert _disclosures(pledge) == []
