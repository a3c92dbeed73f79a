"""``pledge retention run``: what has passed its retention goes, in batches, audited in counts.

On SQLite and PostgreSQL, with records collected through the API and the run
called as of a later day (``as_of``), the way the CLI's ``--as-of`` does.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import (
    AuditEntry,
    ConsentEvent,
    CookieConsent,
    Delivery,
    Identity,
    MarketingSuppression,
    Record,
    Subject,
    SubjectKey,
)
from pledge.jobs.tasks import PERIODIC_TASKS
from pledge.records import records_for_email
from pledge.retention import run_retention
from pledge.rights.suppressions import is_suppressed
from pledge.startup import upgrade_schema
from tests.retention.conftest import (
    ANNA,
    BRUNO,
    CARLA,
    account,
    application,
    audit_of,
    count,
    holds_no_personal_data,
    identification,
    months_on,
    post_records,
)
from tests.web.conftest import auth


def test_records_go_when_their_category_says_and_the_person_with_them(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    anna, _ = post_records(client, system_key, identification(ANNA), application(ANNA))
    bruno = post_records(client, system_key, account(BRUNO))[0]

    year = run_retention(pledge, as_of=months_on(12))  # the application (P1Y) only
    assert dict(year.records) == {"employment_application": 1}
    assert year.subjects == 0
    assert [r.category for r in records_for_email(pledge, ANNA)] == ["identification"]

    later = run_retention(pledge, as_of=months_on(24))  # identification (P2Y) too
    assert dict(later.records) == {"identification": 1}
    assert (later.subjects, later.identities) == (1, 3)  # e-mail, phone, name
    with pledge.sessions() as session:
        key = session.get(SubjectKey, anna["subject_id"])
        assert key is not None
        assert key.wrapped_key is None
        erased = session.get(Subject, anna["subject_id"])
        assert erased is not None
        assert erased.erased_at is not None
    assert records_for_email(pledge, ANNA) == []
    # A category whose retention is a rule a person judges has no deadline: kept.
    assert [r.category for r in records_for_email(pledge, BRUNO)] == ["client_account"]
    assert count(pledge, Identity, Identity.subject_id == bruno["subject_id"]) == 3

    entries = audit_of(pledge, "retention.")
    assert [action for action, _ in entries] == [
        "retention.records_deleted",
        "retention.records_deleted",
        "retention.subjects_shredded",
    ]
    assert entries[0][1]["categories"] == {"employment_application": 1}
    assert entries[2][1]["subjects"] == 1
    for _, details in entries:
        assert holds_no_personal_data(details, anna["id"], anna["subject_id"], ANNA)


def test_a_dry_run_counts_the_same_and_changes_nothing(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA), application(ANNA))
    post_records(client, system_key, application(BRUNO), account(CARLA))
    when = months_on(12)
    before = (count(pledge, Record), count(pledge, Identity), count(pledge, AuditEntry))

    dry = run_retention(pledge, as_of=when, dry_run=True)
    assert (count(pledge, Record), count(pledge, Identity), count(pledge, AuditEntry)) == before
    assert dict(dry.records) == {"employment_application": 2}
    assert (dry.subjects, dry.identities) == (1, 3)  # Bruno had nothing else

    wet = run_retention(pledge, as_of=when)
    assert {**wet.to_dict(), "dry_run": True} == dry.to_dict()
    assert count(pledge, Record) == before[0] - 2


def test_batches_are_bounded_and_each_is_audited(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    people = [f"applicant.{n}@example.org" for n in range(5)]
    post_records(client, system_key, *(application(email) for email in people))
    report = run_retention(pledge, as_of=months_on(12), batch=2)
    assert report.records["employment_application"] == 5
    deleted = [d for a, d in audit_of(pledge, "retention.") if a == "retention.records_deleted"]
    assert [d["categories"]["employment_application"] for d in deleted] == [2, 2, 1]
    shredded = [d for a, d in audit_of(pledge, "retention.") if a == "retention.subjects_shredded"]
    assert sum(d["subjects"] for d in shredded) == 5
    assert len(shredded) == 3
    assert report.batches >= 3 + 3
    assert 0 < report.longest_transaction < 5


def test_a_record_kept_for_a_legal_obligation_goes_when_its_rule_ends(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    """The hiring-compliance record an erasure must keep is removed at its deadline."""
    kept = post_records(client, system_key, application(ANNA, purpose="hiring_compliance"))[0]
    with pledge.sessions() as session:
        row = session.get(Record, kept["id"])
        assert row is not None
        assert row.legal_basis == "legal_obligation"
    assert run_retention(pledge, as_of=months_on(11)).records == {}
    report = run_retention(pledge, as_of=months_on(12))
    assert dict(report.records) == {"employment_application": 1}
    assert report.subjects == 1
    assert count(pledge, Record) == 0


def test_an_open_request_or_a_consent_in_force_keeps_the_person(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    post_records(client, system_key, application(ANNA), application(BRUNO), application(CARLA))
    asked = client.post("/api/v1/requests", json={"type": "access", "email": ANNA, "country": "FR"})
    assert asked.status_code == 202
    consent = {
        "subject": {"email": BRUNO, "country": "FR"},
        "purpose": "marketing",
        "channel": "email",
        "granted": True,
        "method": "web_form",
        "evidence": {"ip": "203.0.113.77", "user_agent": "Mozilla/5.0 test", "text": "Yes"},
    }
    given = client.post("/api/v1/consents", json=consent, headers=auth(system_key))
    assert given.status_code == 201, given.text
    report = run_retention(pledge, as_of=months_on(12))
    assert report.records["employment_application"] == 3
    assert report.subjects == 1  # Carla only
    assert records_for_email(pledge, ANNA) == records_for_email(pledge, BRUNO) == []

    withdrawn = client.post(
        "/api/v1/consents", json={**consent, "granted": False}, headers=auth(system_key)
    )
    assert withdrawn.status_code == 201, withdrawn.text
    soon = run_retention(pledge, as_of=months_on(13))
    assert soon.subjects == 0  # the withdrawal's evidence is kept 36 months
    late = run_retention(pledge, as_of=months_on(37))
    assert late.requests == 1  # Anna's request, never confirmed, went after 24 months
    assert late.subjects == 2  # so Anna goes too, and Bruno
    assert late.consent_evidence == 2
    with pledge.sessions() as session:
        assert session.scalar(select(ConsentEvent.id).limit(1)) is not None  # ledger intact
        # Forgetting Bruno must not put him back on a list: a hashed suppression stays.
        assert is_suppressed(session, pledge.keys, BRUNO) == "retention"
        assert is_suppressed(session, pledge.keys, CARLA) is None
    assert count(pledge, MarketingSuppression, MarketingSuppression.reason == "retention") == 1


def test_cookie_choices_and_finished_deliveries_go_after_their_keep(pledge: Pledge) -> None:
    now = utcnow()
    with pledge.transaction() as session:
        for days in (30, 400):
            session.add(
                CookieConsent(
                    visitor_id=f"v{days}",
                    banner_version="b",
                    choices={"categories": {"analytics": True}},
                    method="banner",
                    recorded_at=now - timedelta(days=days),
                )
            )
        for status, days in (("sent", 40), ("dead", 40), ("cancelled", 40), ("pending", 40)):
            session.add(
                Delivery(
                    kind="email",
                    template="t",
                    status=status,
                    created_at=now - timedelta(days=days),
                    last_attempt_at=now - timedelta(days=days),
                    next_attempt_at=now,
                    payload=b"sealed",
                )
            )
        session.add(Delivery(kind="email", template="t", status="sent", last_attempt_at=now))
    dry = run_retention(pledge, dry_run=True)
    assert (dry.cookie_consents, dict(dry.deliveries)) == (1, {"email": 3})
    assert count(pledge, CookieConsent) == 2
    assert count(pledge, Delivery) == 5
    report = run_retention(pledge)
    assert report.cookie_consents == 1
    assert dict(report.deliveries) == {"email": 3}
    assert count(pledge, CookieConsent) == 1
    with pledge.sessions() as session:
        left = sorted(session.scalars(select(Delivery.status)))
    assert left == ["pending", "sent"]  # never a pending one, nor one sent recently


def test_service_data_goes_in_the_same_run(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    from tests.service_data.conftest import conversation, make_client

    keys = make_client(pledge, "Contoso")
    stored = client.post(
        "/api/v1/service/conversations", json=conversation(), headers=auth(keys.key)
    )
    assert stored.status_code == 201, stored.text
    assert run_retention(pledge, as_of=utcnow() + timedelta(days=89)).conversations == 0
    assert run_retention(pledge, as_of=utcnow() + timedelta(days=91)).conversations == 1


def test_the_retention_task_runs_daily(pledge: Pledge) -> None:
    (task,) = [t for t in PERIODIC_TASKS if t.name == "retention"]
    assert task.interval == 86400
    assert task.function(pledge) == 0
    assert audit_of(pledge, "retention.") == []  # nothing removed, nothing recorded


def test_people_shredded_by_retention_are_journaled_for_restores(
    pledge: Pledge, client: TestClient, system_key: str, tmp_path: Path
) -> None:
    """A restored backup must forget them too: each one's id goes to the erasure journal."""
    pledge.settings.erasure_journal = tmp_path / "apart" / "erasures.jsonl"
    pledge.__dict__.pop("erasure_journal", None)
    upgrade_schema(pledge)  # creates the empty journal
    anna, _ = post_records(client, system_key, identification(ANNA), application(ANNA))
    post_records(client, system_key, account(BRUNO))
    assert run_retention(pledge, as_of=months_on(24)).subjects == 1
    journal = pledge.settings.erasure_journal.read_text()
    assert anna["subject_id"] in journal
    assert ANNA not in journal
    assert len(journal.splitlines()) == 1
