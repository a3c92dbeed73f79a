"""Erasure: per field strategy, children first, re-read after commit, nobody else touched."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from pledge.connectors.sql import SqlConnector
from tests.connectors import shop
from tests.connectors.conftest import Shop

ALICE = {"email": frozenset({"alice@example.com"})}


def test_erasure_applies_each_strategy_and_touches_nobody_else(
    shop_db: Shop, connector: SqlConnector
) -> None:
    before = shop.others(shop.snapshot(shop_db.engine))
    report = connector.erase(ALICE, idempotency_key="erase-1")
    after = shop.snapshot(shop_db.engine)

    assert report.complete
    assert report.residual == 0
    assert shop.others(after) == before
    counts = {name: (c.rows, c.changed, c.deleted) for name, c in report.collections.items()}
    assert counts == {
        "customer": (1, 1, 0),
        "ticket": (1, 1, 0),
        "orders": (2, 2, 0),
        "address": (1, 1, 0),
        "wishlist": (2, 0, 2),
        "loyalty": (1, 1, 0),
    }
    assert report.collections["orders"].kept == {"total": "tax law", "created_at": "tax law"}
    assert report.collections["orders"].fields == ["shipping_street"]
    assert set(after["wishlist"]) == {3}

    with shop_db.engine.connect() as conn:
        alice = conn.execute(select(shop.customer).where(shop.customer.c.id == 1)).one()
        order_rows = conn.execute(select(shop.orders).where(shop.orders.c.customer_id == 1)).all()
    assert (alice.email, alice.name, alice.phone, alice.street) == (None, None, None, None)
    assert alice.internal_note == "vip"  # undeclared: not the connector's to touch
    assert {o.shipping_street for o in order_rows} == {"[erased]"}
    assert sorted(o.total for o in order_rows) == [Decimal("5.00"), Decimal("19.99")]


def test_a_second_erasure_changes_nothing(shop_db: Shop, connector: SqlConnector) -> None:
    connector.erase(ALICE, idempotency_key="erase-1")
    first = shop.snapshot(shop_db.engine)
    again = connector.erase(ALICE, idempotency_key="erase-1")
    assert again.residual == 0
    assert all(c.changed == 0 and c.deleted == 0 for c in again.collections.values())
    assert shop.snapshot(shop_db.engine) == first


def test_residual_counts_what_the_re_read_still_finds(shop_db: Shop) -> None:
    """A row the shop writes between the erasure's commit and its re-read is not hidden."""
    connector = shop_db.connector()
    checkouts = 0

    def shop_writes_meanwhile(*_args: Any) -> None:
        nonlocal checkouts
        checkouts += 1
        if checkouts == 2:  # the re-read's connection: the erasure has committed
            with shop_db.engine.begin() as conn:
                row = {"id": 9, "contact_email": "alice@example.com", "customer_id": None}
                conn.execute(shop.ticket.insert(), row | {"body": "hello"})

    event.listen(connector.engine, "engine_connect", shop_writes_meanwhile)
    try:
        report = connector.erase(ALICE, idempotency_key="erase-1")
        assert report.residual == 2  # the new ticket's contact_email and body
        assert not report.complete
        event.remove(connector.engine, "engine_connect", shop_writes_meanwhile)
        again = connector.erase(ALICE, idempotency_key="erase-1")
        assert (again.residual, again.collections["ticket"].changed) == (0, 1)
    finally:
        connector.close()
