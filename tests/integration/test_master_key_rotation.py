"""``pledge keys rotate-master``: every key re-wrapped, running servers unharmed, on both databases.

A "running server" is a Pledge built before the rotation on the old key (its
key ring read before the rotation began); a "restarted" one is built on the new
key. Both must read every subject, old and new, until the rotation is retired.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.models import AuditEntry, SubjectKey
from pledge.errors import ConfigurationError
from pledge.keyring import retire_master, rotate_master
from pledge.records import RecordIn, collect, records_for_email
from pledge.startup import upgrade_schema
from tests.conftest import _truncate_all, new_master_key
from tests.web.test_records_api import contact_record


@pytest.fixture(autouse=True)
def _empty_after(pledge: Pledge) -> Iterator[None]:
    """The run's PostgreSQL database is shared: leave no key of another master behind."""
    yield
    if not pledge.settings.is_sqlite:
        _truncate_all(pledge)


def store(pledge: Pledge, email: str) -> str:
    (out,) = collect(pledge, [RecordIn.model_validate(contact_record(email))], actor="test")
    return out.subject_id


def readable(pledge: Pledge, email: str) -> bool:
    found = records_for_email(pledge, email)
    return bool(found) and found[0].data["email"] == email


def key_ids(pledge: Pledge) -> set[str | None]:
    with pledge.sessions() as session:
        blobs = session.scalars(
            select(SubjectKey.wrapped_key).where(SubjectKey.wrapped_key.is_not(None))
        ).all()
    return {KeyManager.wrapped_key_id(blob) for blob in blobs if blob is not None}


def on_key(pledge: Pledge, key: str) -> Pledge:
    return Pledge(pledge.settings.model_copy(update={"master_key": key}))


def test_rotation_rewraps_every_key_while_old_and_new_servers_keep_reading(
    pledge: Pledge,
) -> None:
    emails = [f"person{n}@example.org" for n in range(5)]
    for email in emails:
        store(pledge, email)
    running = on_key(pledge, pledge.settings.master_key or "")
    assert readable(running, emails[0])  # its ring is read now, before the rotation
    old_id = pledge.keys.key_id
    signed = pledge.keys.sign("link")
    index = pledge.keys.blind_index("email", emails[0])

    new_key = new_master_key()
    assert rotate_master(pledge, base64.b64decode(new_key), batch=2) == 5
    restarted = on_key(pledge, new_key)
    upgrade_schema(restarted)  # the master-key check passes on the new key
    new_id = restarted.keys.key_id
    assert key_ids(pledge) == {new_id}

    # The server still on the old key reads keys wrapped under the new one ...
    assert all(readable(running, email) for email in emails)
    # ... and what it creates meanwhile (under the old key) the restarted one reads.
    store(running, "during@example.org")
    assert key_ids(pledge) == {new_id, old_id}
    assert all(readable(restarted, email) for email in [*emails, "during@example.org"])
    # Blind indexes, signatures and the audit chain do not change with the master key.
    assert restarted.keys.blind_index("email", emails[0]) == index
    assert restarted.keys.sign("link") == signed
    assert restarted.keys.journal_mac(b"line") == pledge.keys.journal_mac(b"line")
    assert restarted.verify_audit().ok

    assert retire_master(restarted, batch=2) == 1  # the one wrapped under the old key meanwhile
    assert key_ids(pledge) == {new_id}
    assert all(readable(restarted, email) for email in [*emails, "during@example.org"])
    fresh = on_key(pledge, new_key)
    assert fresh.verify_audit().ok
    stale = on_key(pledge, pledge.settings.master_key or "")
    with pytest.raises(ConfigurationError, match="not the master key in force"):
        upgrade_schema(stale)
    for instance in (running, restarted, fresh, stale):
        instance.dispose()


def test_rotation_refuses_the_same_key_and_a_second_rotation_before_retiring(
    pledge: Pledge,
) -> None:
    store(pledge, "someone@example.org")
    same = base64.b64decode(pledge.settings.master_key or "")
    with pytest.raises(ConfigurationError, match="already in force"):
        rotate_master(pledge, same)
    first = new_master_key()
    rotate_master(pledge, base64.b64decode(first))
    assert rotate_master(pledge, base64.b64decode(first)) == 0  # resumed: nothing left
    with pytest.raises(ConfigurationError, match="not retired"):
        rotate_master(pledge, base64.b64decode(new_master_key()))
    with pytest.raises(ConfigurationError, match="no rotation to this master key"):
        retire_master(pledge)  # run on the old key


def test_a_second_rotation_keeps_the_first_keys_derivations(pledge: Pledge) -> None:
    store(pledge, "twice@example.org")
    index = pledge.keys.blind_index("email", "twice@example.org")
    second, third = new_master_key(), new_master_key()
    rotate_master(pledge, base64.b64decode(second))
    middle = on_key(pledge, second)
    retire_master(middle)
    rotate_master(middle, base64.b64decode(third))
    last = on_key(pledge, third)
    retire_master(last)
    assert last.keys.blind_index("email", "twice@example.org") == index
    assert readable(last, "twice@example.org")
    for instance in (middle, last):
        instance.dispose()


def test_rotate_master_command(pledge: Pledge, monkeypatch: pytest.MonkeyPatch) -> None:
    store(pledge, "cli@example.org")
    monkeypatch.setenv("PLEDGE_DATABASE_URL", pledge.settings.database_url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", pledge.settings.master_key or "")
    monkeypatch.delenv("PLEDGE_NEW_MASTER_KEY", raising=False)
    runner = CliRunner()
    bad = runner.invoke(cli_app, ["keys", "rotate-master"], input="not-base64!\n")
    assert bad.exit_code == 1
    assert bad.output.strip() == "error: PLEDGE_NEW_MASTER_KEY is not valid base64"
    new_key = new_master_key()
    done = runner.invoke(cli_app, ["keys", "rotate-master", "--batch", "10"], input=new_key + "\n")
    assert done.exit_code == 0, done.output
    assert done.output.startswith("re-wrapped 1 keys under the new master key")
    monkeypatch.setenv("PLEDGE_MASTER_KEY", new_key)
    retired = runner.invoke(cli_app, ["keys", "retire-master"])
    assert retired.exit_code == 0, retired.output
    again = runner.invoke(cli_app, ["keys", "retire-master"])
    assert again.exit_code == 1
    assert "no rotation to this master key" in again.output
    after = on_key(pledge, new_key)
    assert readable(after, "cli@example.org")
    with after.sessions() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {
        "keys.master_rotation_started",
        "keys.master_rewrapped",
        "keys.master_retired",
    } <= actions
    after.dispose()


def test_a_backup_from_before_a_rotation_opens_with_the_key_of_its_time(
    pledge: Pledge, tmp_path: Path
) -> None:
    path = pledge.settings.sqlite_path()
    if path is None:
        pytest.skip("the file copy is the SQLite backup; PostgreSQL restores are in tests/rights")
    store(pledge, "before@example.org")
    pledge.engine.dispose()
    backup = tmp_path / "before-rotation.db"
    shutil.copyfile(path, backup)
    new_key = new_master_key()
    rotate_master(pledge, base64.b64decode(new_key))
    retire_master(on_key(pledge, new_key))

    url = f"sqlite:///{backup}"
    old = Pledge(pledge.settings.model_copy(update={"database_url": url}))
    upgrade_schema(old)
    assert readable(old, "before@example.org")
    new = Pledge(pledge.settings.model_copy(update={"database_url": url, "master_key": new_key}))
    with pytest.raises(ConfigurationError, match="does not match"):
        upgrade_schema(new)
    for instance in (old, new):
        instance.dispose()
