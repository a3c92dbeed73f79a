"""The store: migrations, encryption at rest and crypto-shredding, on both databases."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from pledge.core import Pledge
from pledge.crypto import KeyDestroyed
from pledge.db.base import Base
from pledge.db.models import Identity, Record
from pledge.records import RecordIn, collect, records_for_email
from pledge.records.service import decrypted_records
from pledge.records.shredding import destroy_subject_key
from pledge.startup import upgrade_schema
from tests.web.test_records_api import contact_record

SECRET_NAME = "Zebulon Quixotic-Fairweather"
EMAIL = "zebulon@example.org"


def _store(pledge: Pledge) -> str:
    body = contact_record(EMAIL)
    body["subject"]["name"] = SECRET_NAME
    body["data"]["name"] = SECRET_NAME
    (out,) = collect(pledge, [RecordIn.model_validate(body)], actor="test")
    return out.subject_id


def test_migrations_match_the_models(pledge: Pledge) -> None:
    with pledge.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(pledge: Pledge) -> None:
    upgrade_schema(pledge)
    upgrade_schema(pledge)


def _database_bytes(pledge: Pledge, tmp_path: Path) -> bytes:
    """The whole database as bytes: the SQLite file, or a pg_dump of the PostgreSQL one."""
    with pledge.engine.connect():
        pass
    path = pledge.settings.sqlite_path()
    if path is not None:
        pledge.engine.dispose()  # checkpoint WAL into the file
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    url = pledge.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run(["pg_dump", url], capture_output=True, check=True, timeout=120)
    return dump.stdout


def test_nothing_personal_is_stored_in_clear(pledge: Pledge, tmp_path: Path) -> None:
    _store(pledge)
    raw = _database_bytes(pledge, tmp_path)
    # The phone in every written form; not a 4-digit fragment, which hex ids,
    # hashes and timestamps in a dump contain by chance now and then.
    phone_forms = ("20 7946 0958", "2079460958", "+442079460958")
    for value in (SECRET_NAME, EMAIL, "Analytical Engines", *phone_forms):
        assert value.encode() not in raw


def test_destroying_the_key_leaves_nothing_readable(pledge: Pledge) -> None:
    subject_id = _store(pledge)
    assert records_for_email(pledge, EMAIL)[0].data["name"] == SECRET_NAME
    with pledge.transaction() as session:
        destroy_subject_key(session, subject_id, actor="test", reason="erasure")
    assert records_for_email(pledge, EMAIL) == []
    with pledge.sessions() as session:
        assert (
            session.scalars(select(Identity).where(Identity.subject_id == subject_id)).all() == []
        )
        assert session.scalars(select(Record).where(Record.subject_id == subject_id)).all()
        with pytest.raises(KeyDestroyed):
            decrypted_records(session, pledge.keys, subject_id)
    assert pledge.verify_audit().ok


def test_same_person_after_erasure_is_a_new_subject(pledge: Pledge) -> None:
    first = _store(pledge)
    with pledge.transaction() as session:
        destroy_subject_key(session, first, actor="test", reason="erasure")
    assert _store(pledge) != first
