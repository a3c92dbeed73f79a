"""A small shop database and its declaration, built the same on SQLite, PostgreSQL and MariaDB.

Alice (customer 1) is the person of every test: found by her e-mail, her
phone, or an old e-mail address left on a support ticket. Bob and Carol are
the other people whose rows must never change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    select,
)

from pledge.connectors.spec import SystemSpec

metadata = MetaData()

customer = Table(
    "customer",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("email", String(200), index=True),
    Column("name", String(200)),
    Column("phone", String(40), index=True),
    Column("street", String(200)),
    Column("city", String(100)),
    Column("postcode", String(20)),
    Column("restricted", Boolean, nullable=True),
    Column("internal_note", String(200)),
)
ticket = Table(
    "ticket",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("contact_email", String(200), index=True),
    Column("customer_id", Integer, ForeignKey("customer.id"), index=True),
    Column("body", String(500)),
)
orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, ForeignKey("customer.id"), nullable=False, index=True),
    Column("total", Numeric(10, 2), nullable=False),
    Column("shipping_street", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("internal_note", String(200)),
)
address = Table(
    "address",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, ForeignKey("customer.id"), index=True),
    Column("street", String(200)),
    Column("city", String(100)),
    Column("postcode", String(20)),
)
wishlist = Table(
    "wishlist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, ForeignKey("customer.id"), index=True),
    Column("product", String(200)),
    Column("note", String(200)),
)
loyalty = Table(
    "loyalty",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("member_ref", Integer, index=True),
    Column("card_name", String(200)),
    Column("points", Integer),
)

ID = "identification"
CONTACT = "contact"
SPEC_DATA: dict[str, Any] = {
    "kind": "sqlite",
    "url_env": "SHOP_DATABASE_URL",
    "timeout_seconds": 5,
    "collections": {
        "customer": {
            "primary_key": "id",
            "identity": {"email": "email", "phone": "phone", "shop_customer_id": "id"},
            "fields": {
                "name": {"category": ID},
                "email": {"category": CONTACT},
                "phone": {"category": CONTACT},
                "street": {"category": ID, "field": "address"},
                "city": {"category": ID},
                "postcode": {"category": ID},
            },
            "restriction": {"column": "restricted", "value": True},
        },
        "ticket": {
            "primary_key": "id",
            "identity": {"email": "contact_email"},
            "references": {"customer_id": "customer.id"},
            "fields": {
                "contact_email": {"category": CONTACT, "field": "email"},
                "body": {"category": "support"},
            },
        },
        "orders": {
            "primary_key": "id",
            "references": {"customer_id": "customer.id"},
            "fields": {
                "shipping_street": {"category": ID, "erase": "mask", "field": "address"},
                "total": {"category": "transaction", "erase": "keep", "reason": "tax law"},
                "created_at": {"category": "transaction", "erase": "keep", "reason": "tax law"},
            },
        },
        "address": {
            "primary_key": "id",
            "references": {"customer_id": "customer.id"},
            "fields": {
                "street": {"category": ID, "field": "address"},
                "city": {"category": ID},
                "postcode": {"category": ID},
            },
        },
        "wishlist": {
            "primary_key": "id",
            "references": {"customer_id": "customer.id"},
            "fields": {"product": {"category": "preferences", "erase": "delete"}},
        },
        "loyalty": {
            "primary_key": "id",
            "identity": {"shop_customer_id": "member_ref"},
            "fields": {"card_name": {"category": ID, "field": "name"}},
        },
    },
}


def spec(kind: str, **changes: Any) -> SystemSpec:
    """The shop's declaration for a database kind, with top-level keys changed."""
    return SystemSpec.model_validate({**SPEC_DATA, "kind": kind, **changes})


AT = dt.datetime(2024, 3, 1, 12, 30, 5)

ROWS: dict[str, list[dict[str, Any]]] = {
    "customer": [
        {"id": 1, "email": "alice@example.com", "name": "Alice Martin", "phone": "+33612345678",
         "street": "1 Rue Haute", "city": "Lyon", "postcode": "69001", "restricted": False,
         "internal_note": "vip"},
        {"id": 2, "email": "bob@example.com", "name": "Bob Stone", "phone": "+33 6 98 76 54 32",
         "street": "2 Low Road", "city": "Leeds", "postcode": "LS1", "restricted": False,
         "internal_note": "late payer"},
        {"id": 3, "email": "carol@example.com", "name": "Carol Diaz", "phone": None,
         "street": "3 Elm St", "city": "Austin", "postcode": "73301", "restricted": None,
         "internal_note": None},
    ],
    "ticket": [
        {"id": 1, "contact_email": "alice.old@example.com", "customer_id": 1, "body": "late"},
        {"id": 2, "contact_email": "bob@example.com", "customer_id": 2, "body": "broken"},
        {"id": 3, "contact_email": "nobody@example.com", "customer_id": None, "body": "spam"},
    ],
    "orders": [
        {"id": 10, "customer_id": 1, "total": Decimal("19.99"), "shipping_street": "1 Rue Haute",
         "created_at": AT, "internal_note": "x"},
        {"id": 11, "customer_id": 1, "total": Decimal("5.00"), "shipping_street": "9 Quai Bas",
         "created_at": AT, "internal_note": "y"},
        {"id": 20, "customer_id": 2, "total": Decimal("7.50"), "shipping_street": "2 Low Road",
         "created_at": AT, "internal_note": None},
        {"id": 30, "customer_id": 3, "total": Decimal("1.00"), "shipping_street": "3 Elm St",
         "created_at": AT, "internal_note": None},
    ],
    "address": [
        {"id": 1, "customer_id": 1, "street": "9 Quai Bas", "city": "Lyon", "postcode": "69002"},
        {"id": 2, "customer_id": 2, "street": "2 Low Road", "city": "Leeds", "postcode": "LS1"},
    ],
    "wishlist": [
        {"id": 1, "customer_id": 1, "product": "kettle", "note": "blue"},
        {"id": 2, "customer_id": 1, "product": "mug", "note": None},
        {"id": 3, "customer_id": 3, "product": "lamp", "note": None},
    ],
    "loyalty": [
        {"id": 1, "member_ref": 1, "card_name": "A. Martin", "points": 120},
        {"id": 2, "member_ref": 2, "card_name": "B. Stone", "points": 5},
    ],
}  # fmt: skip

ALICE_KEYS = {
    "customer": {1},
    "ticket": {1},
    "orders": {10, 11},
    "address": {1},
    "wishlist": {1, 2},
    "loyalty": {1},
}


def build(engine: Engine, extra_orders: int = 0) -> None:
    """(Re)create the shop's tables and rows; ``extra_orders`` more orders for Alice."""
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name in ("customer", "ticket", "orders", "address", "wishlist", "loyalty"):
            conn.execute(metadata.tables[name].insert(), ROWS[name])
        if extra_orders:
            more = [
                {"id": 1000 + i, "customer_id": 1, "total": Decimal("2.00"),
                 "shipping_street": "1 Rue Haute", "created_at": AT, "internal_note": None}
                for i in range(extra_orders)
            ]  # fmt: skip
            conn.execute(orders.insert(), more)


def snapshot(engine: Engine) -> dict[str, dict[Any, str]]:
    """Every row of every table: table -> primary key -> a checksum of the whole row."""
    result: dict[str, dict[Any, str]] = {}
    with engine.connect() as conn:
        for name, tab in metadata.tables.items():
            rows = conn.execute(select(tab).order_by(tab.c.id)).all()
            result[name] = {
                row.id: hashlib.sha256(repr(tuple(row)).encode()).hexdigest() for row in rows
            }
    return result


def others(snap: dict[str, dict[Any, str]]) -> dict[str, dict[Any, str]]:
    """The snapshot without Alice's rows."""
    return {
        name: {key: digest for key, digest in rows.items() if key not in ALICE_KEYS[name]}
        for name, rows in snap.items()
    }
