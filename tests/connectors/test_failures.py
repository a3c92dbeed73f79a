"""A database that is down, a declaration that does not match it, a missing URL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.sql import SqlConnector, connector_for
from tests.connectors import shop
from tests.connectors.conftest import Shop

ALICE = {"email": frozenset({"alice@example.com"})}


def _down_url(shop_db: Shop, tmp_path: Path) -> str:
    if shop_db.kind == "sqlite":
        return f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"
    scheme, rest = shop_db.url.split("://", 1)
    host_part, database = rest.split("/", 1)
    credentials = host_part.rsplit("@", 1)[0] + "@" if "@" in host_part else ""
    return f"{scheme}://{credentials}127.0.0.1:1/{database}"


def test_a_down_database_is_unavailable_quickly(shop_db: Shop, tmp_path: Path) -> None:
    connector = SqlConnector("shop", shop.spec(shop_db.kind), _down_url(shop_db, tmp_path))
    started = time.monotonic()
    try:
        with pytest.raises(SystemUnavailable) as caught:
            connector.erase(ALICE, idempotency_key="k")
        with pytest.raises(SystemUnavailable):
            list(connector.export(ALICE))
    finally:
        connector.close()
    assert time.monotonic() - started < 5
    assert caught.value.system_id == "shop"
    assert "127.0.0.1" not in str(caught.value)
    assert "alice" not in str(caught.value)


def test_a_missing_column_is_misdeclared(shop_db: Shop) -> None:
    collections = shop.SPEC_DATA["collections"] | {
        "address": {
            "primary_key": "id",
            "references": {"customer_id": "customer.id"},
            "fields": {"country": {"category": "identification"}},
        }
    }
    connector = shop_db.connector(collections=collections)
    before = shop.snapshot(shop_db.engine)
    try:
        with pytest.raises(SystemMisdeclared, match=r"^shop\.address: .*missing"):
            list(connector.export(ALICE))
        with pytest.raises(SystemMisdeclared):
            connector.erase(ALICE, idempotency_key="k")
    finally:
        connector.close()
    assert shop.snapshot(shop_db.engine) == before  # the transaction was rolled back


def test_a_missing_table_is_misdeclared(shop_db: Shop) -> None:
    collections = shop.SPEC_DATA["collections"] | {
        "invoice": {"primary_key": "id", "identity": {"email": "email"}}
    }
    connector = shop_db.connector(collections=collections)
    try:
        with pytest.raises(SystemMisdeclared, match="missing"):
            connector.identities(ALICE)
    finally:
        connector.close()


def test_null_on_a_not_null_column_is_misdeclared(shop_db: Shop) -> None:
    orders = dict(shop.SPEC_DATA["collections"]["orders"])
    orders["fields"] = {"shipping_street": {"category": "identification", "erase": "null"}}
    collections = shop.SPEC_DATA["collections"] | {"orders": orders}
    connector = shop_db.connector(collections=collections)
    before = shop.snapshot(shop_db.engine)
    try:
        with pytest.raises(SystemMisdeclared, match=r"^shop\.orders: .*refused"):
            connector.erase(ALICE, idempotency_key="k")
    finally:
        connector.close()
    assert shop.snapshot(shop_db.engine) == before


def test_connector_for_reads_the_url_from_the_environment(tmp_path: Path) -> None:
    spec = shop.spec("sqlite")
    with pytest.raises(SystemMisdeclared, match="SHOP_DATABASE_URL is not set"):
        connector_for("shop", spec, {})
    with pytest.raises(SystemMisdeclared, match="for postgresql, the file says sqlite"):
        connector_for("shop", spec, {"SHOP_DATABASE_URL": "postgresql://u:secret@h/db"})
    with pytest.raises(SystemMisdeclared, match="not an SQLAlchemy URL") as caught:
        connector_for("shop", spec, {"SHOP_DATABASE_URL": "::secret::"})
    assert "secret" not in str(caught.value)
    http = shop.spec("http", secret_env="SHOP_SECRET")
    with pytest.raises(SystemMisdeclared, match="not an SQL database"):
        connector_for("shop", http, {"SHOP_DATABASE_URL": "https://crm.example"})
    connector = connector_for("shop", spec, {"SHOP_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    connector.close()


def test_a_collection_cannot_both_delete_rows_and_keep_a_field() -> None:
    wishlist = {
        "primary_key": "id",
        "fields": {
            "product": {"category": "preferences", "erase": "delete"},
            "note": {"category": "preferences", "erase": "keep", "reason": "warranty"},
        },
    }
    collections = shop.SPEC_DATA["collections"] | {"wishlist": wishlist}
    with pytest.raises(SystemMisdeclared, match="cannot keep"):
        SqlConnector("shop", shop.spec("sqlite", collections=collections), "sqlite://")


def test_a_row_locked_past_the_timeout_makes_the_system_unavailable(shop_db: Shop) -> None:
    """The shop's application holds Alice's row: the erasure gives up in time, changes nothing."""
    connector = shop_db.connector(timeout_seconds=1)
    before = shop.snapshot(shop_db.engine)
    blocker = shop_db.engine.connect()
    try:
        transaction = blocker.begin()
        blocker.execute(shop.customer.update().where(shop.customer.c.id == 1).values(city="Nice"))
        started = time.monotonic()
        with pytest.raises(SystemUnavailable):
            connector.erase(ALICE, idempotency_key="k")
        assert time.monotonic() - started < 10
        transaction.rollback()
    finally:
        blocker.close()
    assert shop.snapshot(shop_db.engine) == before
    try:
        report = connector.erase(ALICE, idempotency_key="k")  # the pool recovers
    finally:
        connector.close()
    assert report.residual == 0
    assert report.collections["customer"].changed == 1
