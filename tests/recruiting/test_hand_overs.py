"""Background checks and hires, against real SQLite, PostgreSQL and MariaDB targets."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, insert, select, text

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.hand_over import hand_over
from pledge.connectors.registry import Systems, systems_of
from pledge.connectors.spec import SystemsFile
from pledge.connectors.sql import SqlConnector
from pledge.core import Pledge
from pledge.db.models import AuditEntry, Disclosure, Identity, Subject, SubjectRestriction
from pledge.errors import NotFound
from pledge.records.service import find_subject_id, records_for_email
from pledge.recruiting.hand_overs import NotAllowed, background_check, hire
from pledge.restrictions import RestrictionKind, objection
from pledge.rights.holds import create_hold
from tests.recruiting.conftest import CHECK_REQUESTS, EMPLOYEES, Target, apply
from tests.site_forms.helpers import MARKER, pdf

EMAIL = "ada.applies@example.org"
PHONE = "+33 6 12 34 56 78"


def test_a_background_check_sends_the_declared_fields_and_is_a_disclosure(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    record_id = apply(client, pledge, EMAIL, phone=PHONE)
    first = background_check(pledge, record_id, actor="staff:r")
    again = background_check(pledge, record_id, actor="staff:r")  # a double click
    assert (first.written, again.written) == (True, False)
    rows = target.rows(CHECK_REQUESTS)
    assert len(rows) == 1
    row = rows[0]
    assert (row["pledge_application"], row["full_name"], row["email"], row["country"]) == (
        record_id,
        "Ada Example",
        EMAIL,
        "FR",
    )
    assert bytes(row["resume"]) == pdf()
    assert set(row) == {"id", "pledge_application", "full_name", "email", "country", "resume"}
    with pledge.sessions() as session:
        logged = session.scalars(select(Disclosure)).all()
    assert [(d.recipient_id, d.categories, d.purpose) for d in logged] == [
        ("background_check_providers", ["employment_application"], "background_checks")
    ]
    # Records are untouched: the application stays for the hiring decision.
    assert records_for_email(pledge, EMAIL)


def test_the_background_check_is_in_the_access_package(
    mailer: Pledge, client: TestClient, target: Target, smtp: object
) -> None:
    from tests.rights.conftest import ask, confirm, mailed_code
    from tests.web.conftest import auth

    record_id = apply(client, mailer, EMAIL, phone=PHONE)
    background_check(mailer, record_id, actor="staff:r")
    request = ask(client, type="access", email=EMAIL, country="FR", match={"phone": PHONE})
    done = confirm(client, request, mailed_code(mailer, smtp, EMAIL))  # type: ignore[arg-type]
    package = client.get(f"/api/v1/requests/{done['id']}/package", headers=auth(request["token"]))
    assert package.status_code == 200, package.text
    shared = {
        recipient["id"]: recipient["disclosed_at"]
        for category in _categories(package.json())
        if category.get("id") == "employment_application"
        for recipient in category["recipients"]
    }
    assert len(shared["background_check_providers"]) == 1
    assert shared["recruitment_providers"] == []


def _categories(package: Any) -> list[dict[str, Any]]:
    """Every object in the package that describes a category with its recipients."""
    found: list[dict[str, Any]] = []
    if isinstance(package, dict):
        if "recipients" in package and "id" in package:
            found.append(package)
        for value in package.values():
            found.extend(_categories(value))
    elif isinstance(package, list):
        for value in package:
            found.extend(_categories(value))
    return found


def test_hiring_exports_the_application_then_erases_the_applicant(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    record_id = apply(client, pledge, EMAIL, phone=PHONE, keep=True)
    other = apply(client, pledge, EMAIL, position="design-2027")  # their second application
    with pledge.sessions() as session:
        subject_id = find_subject_id(session, pledge.keys, EMAIL)
    hired = hire(pledge, record_id, actor="staff:r")
    assert hired.handed.written
    assert hired.records_deleted == 2
    assert hired.key_destroyed
    rows = target.rows(EMPLOYEES)
    assert len(rows) == 1
    row = rows[0]
    assert (row["full_name"], row["email"], row["phone"], row["position"]) == (
        "Ada Example",
        EMAIL,
        PHONE,
        "backend-2027",
    )
    assert bytes(row["resume"]) == pdf()
    assert MARKER in bytes(row["resume"])
    assert row["resume_name"] == "cv.pdf"
    assert row["resume_sha256"] == hashlib.sha256(pdf()).hexdigest()
    # Nothing of the applicant is readable here any more: records gone, key destroyed.
    assert records_for_email(pledge, EMAIL) == []
    with pledge.sessions() as session:
        subject = session.get(Subject, subject_id)
        assert subject is not None
        assert subject.erased_at is not None
        assert not session.scalars(select(Identity).where(Identity.subject_id == subject_id)).all()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "recruiting.hired")
        ).one()
    assert entry.details["records_deleted"] == 2
    assert entry.details["key_destroyed"] is True
    assert "example.org" not in str(entry.details)
    assert "Ada" not in str(entry.details)
    with pytest.raises(NotFound):
        hire(pledge, other, actor="staff:r")


def test_a_hire_keeps_the_key_when_the_person_has_other_data(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    record_id = apply(client, pledge, EMAIL)
    contact = client.post(
        "/api/v1/forms/contact",
        data={
            "form_token": __import__("tests.site_forms.helpers", fromlist=["token"]).token(
                pledge, "contact"
            ),
            "name": "Ada Example",
            "email": EMAIL,
            "country": "FR",
            "inquiry": "Prices?",
            "birth_year": "1990",
        },
    )
    assert contact.status_code == 201, contact.text
    hired = hire(pledge, record_id, actor="staff:r")
    assert not hired.key_destroyed
    left = records_for_email(pledge, EMAIL)
    assert [r.category for r in left] == ["identification"]


def test_a_hold_stops_a_hire_before_anything_leaves(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    record_id = apply(client, pledge, EMAIL)
    create_hold(pledge, email=EMAIL, reason="case 7", actor="test")
    with pytest.raises(NotAllowed):
        hire(pledge, record_id, actor="staff:r")
    assert target.rows(EMPLOYEES) == []
    assert records_for_email(pledge, EMAIL)


def test_a_restriction_stops_a_hire_and_a_check_before_anything_leaves(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    record_id = apply(client, pledge, EMAIL)
    with pledge.sessions() as session:
        subject_id = find_subject_id(session, pledge.keys, EMAIL)
    with pledge.transaction() as session:
        session.add(SubjectRestriction(subject_id=subject_id, kind=RestrictionKind.STORAGE_ONLY))
    with pytest.raises(NotAllowed):
        hire(pledge, record_id, actor="staff:r")
    with pytest.raises(NotAllowed):
        background_check(pledge, record_id, actor="staff:r")
    assert target.rows(EMPLOYEES) == []
    assert target.rows(CHECK_REQUESTS) == []
    assert records_for_email(pledge, EMAIL)


def test_an_unreachable_employee_record_deletes_nothing(
    pledge: Pledge, client: TestClient, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = apply(client, pledge, EMAIL)
    broken = {
        "sqlite": "sqlite:////nonexistent-dir/hr.sqlite",
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/none",
        "mysql": "mysql+pymysql://root@127.0.0.1:9/none",
    }[target.kind]
    monkeypatch.setenv("RECRUIT_TEST_HR_URL", broken)
    pledge.forget_state(Systems)
    with pytest.raises(SystemUnavailable):
        hire(pledge, record_id, actor="staff:r")
    assert records_for_email(pledge, EMAIL)


def test_no_declared_receiver_is_refused_before_anything_is_read(
    pledge: Pledge, client: TestClient
) -> None:
    record_id = apply(client, pledge, EMAIL)
    with pytest.raises(SystemMisdeclared):
        hire(pledge, record_id, actor="staff:r")
    with pytest.raises(SystemMisdeclared):
        background_check(pledge, record_id, actor="staff:r")
    assert records_for_email(pledge, EMAIL)
    assert base64  # the résumé stays encrypted here (see tests/site_forms/test_uploads.py)


def test_a_hand_over_racing_another_is_already_written_not_an_error(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    """Review finding L1: both look-ups find no row; the unique index lets one insert in."""
    record_id = apply(client, pledge, EMAIL)
    connector = systems_of(pledge).connector("checks")
    assert isinstance(connector, SqlConnector)
    raced: list[str] = []

    def the_other_hand_over(
        conn: object, cursor: object, statement: str, *args: object
    ) -> None:  # between our look-up and our insert
        if statement.lstrip().upper().startswith("INSERT") and not raced:
            raced.append(statement)
            with target.engine.begin() as other:
                other.execute(
                    insert(CHECK_REQUESTS).values(pledge_application=record_id, full_name="other")
                )

    event.listen(connector.engine, "before_cursor_execute", the_other_hand_over)
    try:
        handed = background_check(pledge, record_id, actor="staff:r")
    finally:
        event.remove(connector.engine, "before_cursor_execute", the_other_hand_over)
    assert raced
    assert handed.written is False
    assert [row["full_name"] for row in target.rows(CHECK_REQUESTS)] == ["other"]
    with pledge.sessions() as session:
        assert len(session.scalars(select(Disclosure)).all()) == 1  # logged once all the same


def test_an_integrity_error_that_is_no_race_is_still_a_misdeclaration(tmp_path: Path) -> None:
    """A NOT NULL column the declaration leaves out: no row is there, so it is no race."""
    url = f"sqlite:///{tmp_path / 'hr.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE employees (pledge_application TEXT UNIQUE NOT NULL,"
                " full_name TEXT, badge TEXT NOT NULL)"
            )
        )
    declared = SystemsFile.model_validate(
        {
            "systems": {
                "hr": {
                    "kind": "sqlite",
                    "url_env": "HR_URL",
                    "collections": {},
                    "hand_over": {
                        "employee_record": {
                            "table": "employees",
                            "reference": "pledge_application",
                            "columns": {"full_name": "name"},
                        }
                    },
                }
            }
        }
    )
    systems = Systems(declared, {"HR_URL": url})
    try:
        with pytest.raises(SystemMisdeclared, match=r"^hr\.employees: .*IntegrityError"):
            hand_over(systems, "employee_record", "application-1", {"name": "Ada Example"})
    finally:
        systems.close()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM employees")).scalar_one() == 0
    engine.dispose()


def test_a_person_who_objected_to_background_checks_is_not_sent(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    record_id = apply(client, pledge, EMAIL)
    other = apply(client, pledge, "no.objection@example.org")
    with pledge.transaction() as session:
        subject_id = find_subject_id(session, pledge.keys, EMAIL)
        assert subject_id
        session.add(SubjectRestriction(subject_id=subject_id, kind=objection("background_checks")))
    with pytest.raises(NotAllowed, match="objected to background checks"):
        background_check(pledge, record_id, actor="staff:r")
    assert target.rows(CHECK_REQUESTS) == []
    background_check(pledge, other, actor="staff:r")  # the objection is that person's alone
    assert [row["pledge_application"] for row in target.rows(CHECK_REQUESTS)] == [other]
    with pledge.sessions() as session:
        logged = session.scalars(select(Disclosure.subject_id)).all()
        assert logged == [find_subject_id(session, pledge.keys, "no.objection@example.org")]
    # The objection names background checks only: the application itself stays, and a hire
    # (the employee record is the company's own) is not refused for it.
    assert records_for_email(pledge, EMAIL)
    assert hire(pledge, record_id, actor="staff:r").handed.written


@pytest.mark.parametrize(
    "recipient",
    [
        "recruitment_providers",  # receives applications, but not for background checks
        "hubspot",  # does not receive applications at all
    ],
)
def test_a_check_is_refused_where_the_policy_does_not_give_applications_to_the_system(
    pledge: Pledge, client: TestClient, target: Target, recipient: str
) -> None:
    record_id = apply(client, pledge, EMAIL)
    declared = pledge.settings.systems
    assert declared is not None
    text_of = declared.read_text(encoding="utf-8")
    declared.write_text(
        text_of.replace("recipient: background_check_providers", f"recipient: {recipient}"),
        encoding="utf-8",
    )
    pledge.forget_state(Systems)
    with pytest.raises(NotAllowed, match="does not give applications to this system"):
        background_check(pledge, record_id, actor="staff:r")
    assert target.rows(CHECK_REQUESTS) == []
    with pledge.sessions() as session:
        assert session.scalars(select(Disclosure)).all() == []
