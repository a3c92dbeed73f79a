"""The live check against real databases: SQLite file, PostgreSQL and MariaDB, the same schema."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
)

from pledge.connectors.check import check_live, has_errors
from pledge.connectors.load import read_systems
from pledge.policy import Problem
from tests.connectors.live_databases import fresh_database

KINDS = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mysql"}


def _schema() -> MetaData:
    """A shop as it should be, and two tables that are not what the file will say."""
    meta = MetaData()
    Table(
        "customer",
        meta,
        Column("id", Integer, primary_key=True),
        Column("email", String(200), index=True),
        Column("name", String(200)),
        Column("phone", String(40), index=True),
        Column("street", String(200), nullable=False),
    )
    Table(
        "orders",
        meta,
        Column("id", Integer, primary_key=True),
        Column("customer_id", Integer, ForeignKey("customer.id"), index=True),
        Column("shipping_street", String(200)),
        Column("total", Numeric(10, 2), nullable=False),
    )
    members = Table(
        "members",
        meta,
        Column("member_no", Integer, primary_key=True),
        Column("id", Integer),
        Column("email", String(200)),
        Column("name", String(200), nullable=False),
        Column("age", Integer),
        Column("nick", String(3)),
    )
    Table(
        "visits",
        meta,
        Column("id", Integer, primary_key=True),
        Column("member_id", String(20)),
    )
    Index("members_id", members.c.id)
    return meta


GOOD = {
    "customer": {
        "primary_key": "id",
        "identity": {"email": "email", "phone": "phone"},
        "fields": {
            "email": {"category": "identification"},
            "name": {"category": "identification"},
            "phone": {"category": "identification"},
            "street": {"category": "identification", "erase": "mask"},
        },
    },
    "orders": {
        "primary_key": "id",
        "references": {"customer_id": "customer.id"},
        "fields": {
            "shipping_street": {"category": "identification"},
            "total": {"category": "client_account", "erase": "keep", "reason": "tax law"},
        },
    },
}

BAD = {
    "members": {
        "primary_key": "id",
        "identity": {"email": "email"},
        "fields": {
            "email": {"category": "identification"},
            "name": {"category": "identification"},
            "age": {"category": "identification", "erase": "mask"},
            "nick": {"category": "identification", "erase": "mask"},
            "nickname": {"category": "identification"},
        },
    },
    "visits": {"primary_key": "id", "references": {"member_id": "members.id"}},
    "ghosts": {"primary_key": "id", "identity": {"email": "email"}},
}


@pytest.fixture(scope="module", params=list(KINDS))
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(kind, URL) of a database holding :func:`_schema`."""
    kind = request.param
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('shop') / 'shop.db'}"
        _create(url)
        yield kind, url
        return
    with fresh_database(kind) as url:
        _create(url)
        yield kind, url


def _create(url: str) -> None:
    engine = create_engine(url)
    _schema().create_all(engine)
    engine.dispose()


def _live(
    tmp_path: Path, kind: str, url: str, collections: dict[str, Any]
) -> tuple[list[Problem], Path]:
    data = {"systems": {"shop": {"kind": kind, "url_env": "SHOP_URL", "collections": collections}}}
    path = tmp_path / "systems.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    systems, problems, locate = read_systems(path)
    assert systems is not None, problems
    return check_live(systems, {"SHOP_URL": url}, locate), path


def test_a_database_as_declared_has_no_problem(database: tuple[str, str], tmp_path: Path) -> None:
    kind, url = database
    problems, _ = _live(tmp_path, kind, url, GOOD)
    assert problems == []


def test_each_mismatch_is_found_where_it_is_declared(
    database: tuple[str, str], tmp_path: Path
) -> None:
    kind, url = database
    problems, path = _live(tmp_path, kind, url, BAD)
    found = {(p.location.split(" ", 1)[1], p.severity, p.message) for p in problems}
    members, visits = "systems.shop.collections.members", "systems.shop.collections.visits"
    expected = {
        (
            f"{members}.primary_key",
            "warning",
            "the table's primary key is (member_no), not 'id': "
            "rows are told apart by it, so it must be unique",
        ),
        (
            f"{members}.identity.email",
            "warning",
            "no index on 'email': look-ups will scan the table",
        ),
        (
            f"{members}.fields.name.erase",
            "error",
            "erase 'null' on a NOT NULL column would fail: use 'mask' or 'delete'",
        ),
        (
            f"{members}.fields.nickname",
            "error",
            "column 'nickname' does not exist in table 'members'",
        ),
        (
            f"{visits}.references.member_id",
            "warning",
            "no foreign key to members.id: the database does not keep this reference consistent",
        ),
        (
            f"{visits}.references.member_id",
            "warning",
            "no index on 'member_id': look-ups will scan the table",
        ),
        (
            f"{visits}.references.member_id",
            "warning",
            "a text column pointing to an integer column: values will not match",
        ),
        ("systems.shop.collections.ghosts", "error", "table 'ghosts' does not exist"),
    }
    assert expected <= found, found - expected
    age = [p for p in problems if ".fields.age.erase" in p.location]
    assert [p.message.split(" (")[0] for p in age] == ["erase 'mask' on a non-text column"]
    nick = [p for p in problems if ".fields.nick.erase" in p.location]
    assert [p.message.split(",")[0] for p in nick] == ["the mask is 8 characters"]
    assert len(problems) == len(expected) + 2, sorted(found - expected)
    # every place is a line of the file
    ghosts_line = path.read_text().splitlines().index("      ghosts:") + 1
    assert any(
        p.location == f"{path}:{ghosts_line} {'systems.shop.collections.ghosts'}" for p in problems
    )


def test_a_server_that_does_not_answer_is_one_error_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    problems, _ = _live(
        tmp_path, "postgresql", "postgresql+psycopg://postgres@127.0.0.1:1/shop", GOOD
    )
    assert [p.message for p in problems] == ["cannot connect (OperationalError)"]
    assert problems[0].location.endswith(" systems.shop")
    assert time.monotonic() - started < 5


def test_a_server_that_never_answers_is_given_up_on_within_the_deadline(tmp_path: Path) -> None:
    """A port that takes the connection and never says a word: the system's timeout ends it."""
    path = tmp_path / "systems.yaml"
    data = {
        "systems": {
            "shop": {
                "kind": "postgresql",
                "url_env": "SHOP_URL",
                "timeout_seconds": 2,
                "collections": GOOD,
            }
        }
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    systems, _, locate = read_systems(path)
    assert systems is not None
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever answers
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/shop"
        started = time.monotonic()
        problems = check_live(systems, {"SHOP_URL": url}, locate)
        waited = time.monotonic() - started
    assert [p.message for p in problems] == ["cannot connect (OperationalError)"]
    assert 1.5 < waited < 4, waited


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    absent = tmp_path / "absent.db"
    problems, _ = _live(tmp_path, "sqlite", f"sqlite:///{absent}", GOOD)
    assert [p.message for p in problems] == ["cannot connect (OperationalError)"]
    assert not absent.exists()


def test_the_url_must_be_of_the_declared_kind_and_is_never_shown(tmp_path: Path) -> None:
    secret_url = "mysql+pymysql://root:hunter2@127.0.0.1:1/shop"
    problems, _ = _live(tmp_path, "postgresql", secret_url, GOOD)
    assert [p.message for p in problems] == [
        "SHOP_URL holds a mysql URL but the kind is postgresql"
    ]
    problems, _ = _live(tmp_path, "postgresql", "not a url", GOOD)
    assert [p.message for p in problems] == ["SHOP_URL does not hold a database URL"]
    assert not any("hunter2" in str(p) for p in problems)


def test_an_http_system_that_is_down_is_an_error(tmp_path: Path) -> None:
    data = {
        "systems": {
            "crm": {
                "kind": "http",
                "url_env": "CRM_URL",
                "secret_env": "CRM_SECRET",
                "recipient": "hubspot",
                "collections": {"contacts": GOOD["customer"]},
            }
        }
    }
    path = tmp_path / "systems.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    systems, _, locate = read_systems(path)
    assert systems is not None
    environ = {"CRM_URL": "http://127.0.0.1:1", "CRM_SECRET": "x" * 32}
    problems = check_live(systems, environ, locate)
    assert has_errors(problems)
    assert [p.location for p in problems] == ["systems.crm"]
    assert "cannot connect" in problems[0].message
    assert "x" * 32 not in str(problems)
