"""Backups that forget (issue #13 item 4): a restored pre-erasure backup is erased again.

The person is erased through the real request flow (code mailed, confirmed);
the backup is a copy of the SQLite file, or a ``pg_dump`` restored with
``pg_restore`` into a new PostgreSQL database; ``pledge init`` then re-applies
the erasure journal before anything could serve.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner, Result

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.db.models import (
    AuditEntry,
    Conversation,
    Identity,
    Record,
    ServiceCustomer,
    SubjectKey,
)
from pledge.records import records_for_email
from pledge.records.shredding import destroy_subject_key
from pledge.rights import is_suppressed
from pledge.rights.fulfil import fulfil_verified
from pledge.startup import upgrade_schema
from tests.conftest import PG_ADMIN_URL, new_master_key
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, PHONE, collect
from tests.rights.test_fulfilment import run
from tests.service_data.conftest import conversation, make_client
from tests.web.conftest import auth


@pytest.fixture
def journaled(mailer: Pledge, tmp_path: Path) -> Pledge:
    """The mailing Pledge, journaling erasures to a file outside the database."""
    mailer.settings.erasure_journal = tmp_path / "keep-apart" / "erasures.jsonl"
    mailer.__dict__.pop("erasure_journal", None)
    upgrade_schema(mailer)  # creates the empty journal
    return mailer


@dataclass
class Backup:
    """A backup of the test's database and a way to restore it to a database of its own."""

    pledge: Pledge
    path: Path

    def restore(self) -> str:
        """Restore into a new database; returns its URL."""
        sqlite = self.pledge.settings.sqlite_path()
        if sqlite is not None:
            target = self.path.with_name("restored.db")
            shutil.copyfile(self.path, target)
            return f"sqlite:///{target}"
        name = f"pledge_restored_{secrets.token_hex(4)}"
        _admin(f'CREATE DATABASE "{name}"')
        url = self.pledge.settings.database_url.rsplit("/", 1)[0] + "/" + name
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", _libpq(url), str(self.path)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return url


def _admin(statement: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def take_backup(pledge: Pledge, tmp_path: Path) -> Backup:
    """A plain copy of the SQLite file (WAL checkpointed first), or ``pg_dump -Fc``."""
    sqlite = pledge.settings.sqlite_path()
    if sqlite is not None:
        pledge.engine.dispose()  # the last connection's close checkpoints the WAL into the file
        target = tmp_path / "backup.db"
        shutil.copyfile(sqlite, target)
        return Backup(pledge, target)
    target = tmp_path / "backup.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(target), _libpq(pledge.settings.database_url)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Backup(pledge, target)


@pytest.fixture
def restored(journaled: Pledge) -> Iterator[list[str]]:
    """Restored databases' URLs, the PostgreSQL ones dropped after the test."""
    urls: list[str] = []
    yield urls
    for url in urls:
        if url.startswith("postgresql"):
            name = url.rsplit("/", 1)[1]
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def init(
    pledge: Pledge, url: str, monkeypatch: pytest.MonkeyPatch, journal: Path | None = None
) -> Result:
    """``pledge init`` on ``url``, with the test's master key and erasure journal."""
    monkeypatch.setenv("PLEDGE_DATABASE_URL", url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", pledge.settings.master_key or "")
    monkeypatch.setenv("PLEDGE_ERASURE_JOURNAL", str(journal or pledge.settings.erasure_journal))
    return CliRunner().invoke(cli_app, ["init"])


def opened(pledge: Pledge, url: str) -> Pledge:
    """A Pledge over ``url`` (no start-up steps), to look at what the database holds."""
    return Pledge(pledge.settings.model_copy(update={"database_url": url}))


def held(pledge: Pledge, subject_id: str) -> tuple[bool, int, int]:
    """Whether the subject's key is still there, and how many identities and records remain."""
    with pledge.sessions() as session:
        key = session.get(SubjectKey, subject_id)
        identities = session.scalar(
            select(func.count()).select_from(Identity).where(Identity.subject_id == subject_id)
        )
        records = session.scalar(
            select(func.count()).select_from(Record).where(Record.subject_id == subject_id)
        )
    return key is not None and key.wrapped_key is not None, int(identities or 0), int(records or 0)


def erase_after_backup(
    journaled: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, tmp_path: Path
) -> tuple[str, Backup]:
    subject_id = collect(web, system_key)["subject_id"]
    backup = take_backup(journaled, tmp_path)
    done = run(journaled, smtp, web, type="erasure", match={"phone": PHONE})
    assert (done["status"], done["result"]["key_destroyed"]) == ("completed", True), done
    return subject_id, backup


def test_init_erases_again_whom_a_restored_backup_brings_back(
    journaled: Pledge,
    smtp: SmtpServer,
    web: TestClient,
    system_key: str,
    tmp_path: Path,
    restored: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subject_id, backup = erase_after_backup(journaled, smtp, web, system_key, tmp_path)
    journal = journaled.settings.erasure_journal
    assert journal is not None
    lines = journal.read_bytes().splitlines()
    assert len(lines) == 1
    assert subject_id.encode() in lines[0]
    assert EMAIL.encode() not in journal.read_bytes()

    url = backup.restore()
    restored.append(url)
    before = opened(journaled, url)
    assert held(before, subject_id) == (True, 3, 1)  # the backup really brings the person back
    assert records_for_email(before, EMAIL)
    before.dispose()

    result = init(journaled, url, monkeypatch)
    assert result.exit_code == 0, result.output

    after = opened(journaled, url)
    assert held(after, subject_id) == (False, 0, 0)
    assert records_for_email(after, EMAIL) == []
    with after.sessions() as session:
        assert is_suppressed(session, after.keys, EMAIL) == "erasure"
        audit_entries = session.scalar(select(func.count()).select_from(AuditEntry))

    again = init(journaled, url, monkeypatch)  # idempotent: nothing left to do, nothing written
    assert again.exit_code == 0, again.output
    with after.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_entries
    assert journal.read_bytes().splitlines() == lines
    after.dispose()


def test_a_missing_journal_stops_init_and_changes_nothing(
    journaled: Pledge,
    smtp: SmtpServer,
    web: TestClient,
    system_key: str,
    tmp_path: Path,
    restored: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    erase_after_backup(journaled, smtp, web, system_key, tmp_path)
    elsewhere = tmp_path / "not-restored" / "erasures.jsonl"
    result = init(journaled, journaled.settings.database_url, monkeypatch, journal=elsewhere)
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: PLEDGE_ERASURE_JOURNAL"), line
    assert "is missing" in line, line
    assert not elsewhere.exists()


def test_an_altered_journal_is_refused_before_anything_changes(
    journaled: Pledge,
    smtp: SmtpServer,
    web: TestClient,
    system_key: str,
    tmp_path: Path,
    restored: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subject_id, backup = erase_after_backup(journaled, smtp, web, system_key, tmp_path)
    journal = journaled.settings.erasure_journal
    assert journal is not None
    forged = tmp_path / "forged.jsonl"
    original = journal.read_text()
    forged.write_text(original.replace('"at":"20', '"at":"19'))
    url = backup.restore()
    restored.append(url)

    result = init(journaled, url, monkeypatch, journal=forged)
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "fails its check at line 1" in line, line
    untouched = opened(journaled, url)
    assert held(untouched, subject_id) == (True, 3, 1)
    untouched.dispose()

    monkeypatch.setenv("PLEDGE_ERASURE_JOURNAL", str(journal))
    assert CliRunner().invoke(cli_app, ["journal", "check"]).exit_code == 0
    monkeypatch.setenv("PLEDGE_MASTER_KEY", new_master_key())  # another key: no line verifies
    checked = CliRunner().invoke(cli_app, ["journal", "check"])
    assert checked.exit_code == 1
    assert "fails its check at line 1" in checked.output


def test_an_erasure_the_journal_cannot_record_waits_and_is_retried(
    journaled: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, tmp_path: Path
) -> None:
    """Never an erasure unjournaled: it rolls back, and the periodic task completes it later."""
    subject_id = collect(web, system_key)["subject_id"]
    journal = journaled.settings.erasure_journal
    assert journal is not None
    journal.unlink()
    journal.mkdir()  # a directory where the file should be: every append fails
    done = run(journaled, smtp, web, type="erasure", match={"phone": PHONE})
    assert done["status"] == "verified", done
    assert held(journaled, subject_id) == (True, 3, 1)

    journal.rmdir()
    assert fulfil_verified(journaled) == 1
    assert held(journaled, subject_id) == (False, 0, 0)
    (line,) = journal.read_bytes().splitlines()
    assert subject_id.encode() in line


def test_journal_create_starts_a_journal_from_the_erasures_already_made(
    mailer: Pledge,
    web: TestClient,
    system_key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A deployment that starts keeping a journal after erasures happened."""
    subject_id = collect(web, system_key)["subject_id"]
    with mailer.transaction() as session:
        destroy_subject_key(session, subject_id, actor="test", reason="test")
    journal = tmp_path / "later" / "erasures.jsonl"
    refused = init(mailer, mailer.settings.database_url, monkeypatch, journal=journal)
    assert refused.exit_code == 1
    assert "is missing but this database records erasures" in refused.output

    created = CliRunner().invoke(cli_app, ["journal", "create"])
    assert created.exit_code == 0, created.output
    assert created.output.strip() == "created the erasure journal with 1 erasures"
    (line,) = journal.read_bytes().splitlines()
    assert subject_id.encode() in line
    assert init(mailer, mailer.settings.database_url, monkeypatch, journal=journal).exit_code == 0
    again = CliRunner().invoke(cli_app, ["journal", "create"])
    assert again.exit_code == 1
    assert "exists already" in again.output


def _customer(pledge: Pledge, customer_id: str) -> tuple[bool, int]:
    """Whether the Client's customer's key is there, and how many conversations they have."""
    with pledge.sessions() as session:
        customer = session.get(ServiceCustomer, customer_id)
        conversations = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.customer_id == customer_id)
        )
    has_key = customer is not None and customer.wrapped_key is not None
    return has_key, int(conversations or 0)


def test_a_clients_customer_erased_stays_erased_after_a_restore(
    journaled: Pledge,
    web: TestClient,
    tmp_path: Path,
    restored: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Service Data erasures on a Client's instruction are journaled and re-applied too."""
    acme = make_client(journaled, "Acme")
    sent = web.post(
        "/api/v1/service/conversations", json=conversation("c-77"), headers=auth(acme.key)
    )
    assert sent.status_code == 201, sent.text
    with journaled.sessions() as session:
        customer_id = session.scalars(select(Conversation.customer_id)).one()
    backup = take_backup(journaled, tmp_path)
    erase = {"type": "erasure", "customer": {"id": "c-77"}}
    done = web.post("/api/v1/service/requests", json=erase, headers=auth(acme.key))
    assert done.json()["status"] == "completed"
    journal = journaled.settings.erasure_journal
    assert journal is not None
    assert f"service-customer:{customer_id}".encode() in journal.read_bytes()

    url = backup.restore()
    restored.append(url)
    before = opened(journaled, url)
    assert _customer(before, customer_id) == (True, 1)  # the backup brings them back
    before.dispose()
    result = init(journaled, url, monkeypatch)
    assert result.exit_code == 0, result.output
    after = opened(journaled, url)
    assert _customer(after, customer_id) == (False, 0)
    after.dispose()
