"""Policy versions announced (issue #13 item 6), on SQLite and PostgreSQL.

A second policy text -- the bundled one with identification data kept five
years instead of two and a cookie's purpose reworded -- is started on the same
database, as an operator deploying a new YAML would; the tests read what the
public sees (the pages and the JSON) and what people receive (real mail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from pledge.announcements import send_change_notices
from pledge.announcements.mails import _queue_batch, _subjects_after, _untold
from pledge.cli.main import app as cli_app
from pledge.consent.cookies import banner_version
from pledge.core import Pledge
from pledge.db.models import Delivery, PolicyChangeMail, PolicyPublication
from pledge.jobs import deliver_outbox
from pledge.policy import bundled_policy_path
from pledge.records import RecordIn, collect
from pledge.records.shredding import destroy_subject_key
from pledge.startup import upgrade_schema
from pledge.web.app import create_app
from tests.integration.smtp_server import SmtpServer
from tests.web.test_records_api import contact_record

PEOPLE = ["ada@example.org", "grace@example.org", "hedy@example.org"]


def changed_policy(tmp_path: Path, *, longer: bool = True, cookies: bool = True) -> Path:
    text = bundled_policy_path().read_text()
    if longer:
        text = text.replace("      duration: P2Y\n", "      duration: P5Y\n", 1)
    else:
        text = text.replace("      duration: P13M\n", "      duration: P12M\n", 1)
    if cookies:
        text = text.replace(
            "purpose: Distinguishes visitors within one day.",
            "purpose: Tells visitors apart for one day.",
        )
    path = tmp_path / "policy-v2.yaml"
    path.write_text(text)
    return path


def deploy(pledge: Pledge, policy: Path) -> Pledge:
    """A process started on the new policy, on the same database (a deployment)."""
    started = Pledge(pledge.settings.model_copy(update={"policy": policy}))
    upgrade_schema(started)
    return started


@pytest.fixture
def people(pledge: Pledge) -> list[str]:
    """Subject ids of three people with an e-mail address; the third is erased."""
    ids = []
    for email in PEOPLE:
        (out,) = collect(pledge, [RecordIn.model_validate(contact_record(email))], actor="test")
        ids.append(out.subject_id)
    with pledge.transaction() as session:
        destroy_subject_key(session, ids[2], actor="test", reason="test")
    return ids


@pytest.fixture
def v2(pledge: Pledge, people: list[str], tmp_path: Path) -> Iterator[Pledge]:
    started = deploy(pledge, changed_policy(tmp_path))
    yield started
    started.dispose()


@pytest.fixture
def web(v2: Pledge) -> Iterator[TestClient]:
    with TestClient(create_app(v2), raise_server_exceptions=False) as client:
        yield client


def test_every_version_is_served_at_its_number_with_its_dates_and_changes(
    v2: Pledge, web: TestClient
) -> None:
    listed = web.get("/api/v1/policy/versions").json()["versions"]
    assert [v["number"] for v in listed] == [1, 2]
    first, second = listed
    assert first["effective_until"] == second["effective_from"]
    assert second["effective_until"] is None
    assert first["changes"] is None
    changes = second["changes"]
    assert changes["retention"] == {"longer": ["identification"], "shorter": [], "changed": []}
    assert changes["categories"]["changed"] == ["identification"]
    assert changes["cookies"] is True
    assert changes["material"] is True
    assert changes["reasons"] == ["kept longer: identification"]
    assert second["material"] is True

    one = web.get("/api/v1/policy/versions/1").json()
    assert one["policy"]["categories"][0]["retention"]["duration"] == "P2Y"
    two = web.get("/api/v1/policy/versions/2").json()
    assert two["policy"]["categories"][0]["retention"]["duration"] == "P5Y"
    assert web.get("/api/v1/policy/versions/3").status_code == 404
    assert web.get("/api/v1/policy/versions/two").status_code == 422

    page = web.get("/policy/versions/2")
    assert page.status_code == 200
    assert "Kept longer: Identification Data" in page.text
    assert "the cookie banner asks you again" in page.text
    assert 'href="/api/v1/policy/versions/2"' in page.text
    listing = web.get("/policy/versions").text
    assert 'href="/policy/versions/1"' in listing
    assert 'href="/policy/versions/2"' in listing
    german = web.get("/policy/versions/2?lang=de").text
    assert "Länger aufbewahrt: Identification Data" in german


def test_restarting_on_the_same_text_publishes_nothing_new(
    pledge: Pledge, v2: Pledge, tmp_path: Path
) -> None:
    again = deploy(pledge, changed_policy(tmp_path))
    with again.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PolicyPublication)) == 2
    back = deploy(pledge, bundled_policy_path())  # a change reverted takes effect anew
    with back.sessions() as session:
        numbers = session.scalars(select(PolicyPublication.number)).all()
        third = session.get(PolicyPublication, 3)
    assert sorted(numbers) == [1, 2, 3]
    assert third is not None
    assert not third.material  # shorter retention and a cookie reworded: not material
    for instance in (again, back):
        instance.dispose()


def test_public_pages_announce_the_change_for_the_configured_days(
    v2: Pledge, web: TestClient
) -> None:
    page = web.get("/privacy-center").text
    assert "Our privacy policy changed on" in page
    assert 'href="/policy/versions/2"' in page
    policy_page = web.get("/policy").text
    assert policy_page.index("Our privacy policy changed on") < policy_page.index("<h1")
    assert "Unsere Datenschutzerklärung hat sich am" in web.get("/privacy-center?lang=de").text

    v2.settings.policy_notice_days = 0
    with TestClient(create_app(v2)) as later:
        assert "Our privacy policy changed on" not in later.get("/privacy-center").text


def test_the_cookie_banner_asks_again_when_cookies_change(
    pledge: Pledge, v2: Pledge, web: TestClient
) -> None:
    assert banner_version(v2.policy) != banner_version(pledge.policy)
    assert web.get("/api/v1/cookie-banner").json()["version"] == banner_version(v2.policy)


def test_a_material_change_mails_each_live_person_once_in_batches(
    v2: Pledge, people: list[str], smtp: SmtpServer
) -> None:
    assert send_change_notices(v2, batch=1) == 2  # the erased person has no address left
    assert send_change_notices(v2, batch=1) == 0
    with v2.sessions() as session:
        told = set(session.scalars(select(PolicyChangeMail.subject_id)))
        publication = session.get(PolicyPublication, 2)
    assert told == set(people[:2])
    assert publication is not None
    assert publication.notices_done_at is not None

    v2.settings.smtp_url = smtp.url
    deliver_outbox(v2)
    for email in PEOPLE[:2]:
        (mail,) = smtp.messages_to(email)
        assert mail.message["Subject"] == "Our privacy policy has changed"
        assert mail.message["List-Unsubscribe"].startswith("<mailto:")
        assert "/policy/versions/2" in mail.body
        assert "We keep this data longer: Identification Data." in mail.body
    assert smtp.messages_to(PEOPLE[2]) == []


def test_a_run_cut_short_resumes_without_mailing_anyone_twice(
    v2: Pledge, people: list[str]
) -> None:
    """A crash after the first batch: the second batch's records and mails never committed."""
    send_change_notices(v2, batch=1)
    with v2.transaction() as session:
        second = session.scalars(
            select(PolicyChangeMail).where(PolicyChangeMail.subject_id == people[1])
        ).one()
        session.execute(delete(Delivery).where(Delivery.id == second.delivery_id))
        session.delete(second)
        session.execute(
            update(PolicyPublication)
            .where(PolicyPublication.number == 2)
            .values(notices_done_at=None)
        )
    assert send_change_notices(v2) == 1
    with v2.sessions() as session:
        per_person = session.execute(
            select(Delivery.subject_id, func.count())
            .where(Delivery.template == "policy_change")
            .group_by(Delivery.subject_id)
        ).all()
    assert sorted(per_person) == sorted([(people[0], 1), (people[1], 1)])


def test_a_change_that_is_not_material_mails_nobody(
    pledge: Pledge, people: list[str], tmp_path: Path
) -> None:
    minor = deploy(pledge, changed_policy(tmp_path, longer=False, cookies=False))
    assert send_change_notices(minor) == 0
    with minor.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PolicyChangeMail)) == 0
    minor.dispose()


def test_policy_publish_command(
    pledge: Pledge, people: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLEDGE_DATABASE_URL", pledge.settings.database_url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", pledge.settings.master_key or "")
    monkeypatch.setenv("PLEDGE_POLICY", str(changed_policy(tmp_path)))
    result = CliRunner().invoke(cli_app, ["policy", "publish", "--mail-now"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "policy version 2 is in force"
    assert "retention longer: identification" in lines
    assert "cookies changed: the banner asks every visitor again" in lines
    assert lines[-1] == "material change: 2 mails queued now"


def test_a_second_runner_telling_the_same_people_rolls_back_whole(
    v2: Pledge, people: list[str]
) -> None:
    """Two workers at once: the (publication, person) pair is unique, so the later batch
    (its records and its mails) rolls back and nobody is mailed twice."""
    batch = _untold(v2, 2, _subjects_after(v2, "", 10))
    assert _queue_batch(v2, 2, batch) == 2
    with pytest.raises(IntegrityError):
        _queue_batch(v2, 2, batch)
    with v2.sessions() as session:
        mails = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.template == "policy_change")
        )
    assert mails == 2
