"""Export: exactly the person's rows, declared columns only, JSON-ready values, streamed."""

from __future__ import annotations

import json

from pledge.connectors.sql import SqlConnector
from tests.connectors import shop
from tests.connectors.conftest import Shop
from tests.connectors.statements import recorded

ALICE = {"email": frozenset({"alice@example.com"})}


def test_export_gives_exactly_the_persons_rows(connector: SqlConnector) -> None:
    rows = list(connector.export(ALICE))
    keys: dict[str, set[int]] = {}
    for row in rows:
        keys.setdefault(row.collection, set()).add(int(row.key))
    assert keys == shop.ALICE_KEYS
    assert len(rows) == sum(len(k) for k in shop.ALICE_KEYS.values())
    json.dumps([row.by_category for row in rows])


def test_export_by_category_with_json_ready_values(connector: SqlConnector) -> None:
    rows = {(row.collection, row.key): row.by_category for row in connector.export(ALICE)}
    assert rows[("customer", "1")] == {
        "identification": {
            "name": "Alice Martin",
            "street": "1 Rue Haute",
            "city": "Lyon",
            "postcode": "69001",
        },
        "contact": {"email": "alice@example.com", "phone": "+33612345678"},
    }
    order = rows[("orders", "10")]
    assert order["identification"] == {"shipping_street": "1 Rue Haute"}
    # NUMERIC arrives as Decimal from PostgreSQL and MariaDB (text in the package);
    # SQLite has no decimal type and stores a float.
    assert order["transaction"]["total"] in ("19.99", 19.99)
    assert (
        str(order["transaction"]["created_at"]).replace(" ", "T").startswith("2024-03-01T12:30:05")
    )


def test_undeclared_columns_are_never_read(connector: SqlConnector) -> None:
    with recorded(connector) as statements:
        rows = list(connector.export(ALICE))
        connector.erase(ALICE, idempotency_key="k1")
    assert rows
    assert not [s for s in statements if "internal_note" in s or "points" in s]
    assert all("internal_note" not in fields for row in rows for fields in row.by_category.values())


def test_many_rows_are_exported_in_chunks(shop_db: Shop) -> None:
    shop.build(shop_db.engine, extra_orders=2500)
    connector = shop_db.connector()
    try:
        orders = [row for row in connector.export(ALICE) if row.collection == "orders"]
    finally:
        connector.close()
    assert len(orders) == 2502
    assert len({row.key for row in orders}) == 2502
