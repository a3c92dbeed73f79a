"""Requests reach the company's other systems: a shop database declared in PLEDGE_SYSTEMS.

The shop is a real SQLite file (the connector tests run the same walk on
PostgreSQL and MariaDB); Pledge's own store is the parametrised one (SQLite
and PostgreSQL). Every request goes through the API as it does in production:
the code read from the real mail, verification, then fulfilment that waits
for the shop's task, run through the delivery engine.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.connectors.registry import Systems
from pledge.console.accounts import create_user
from pledge.core import Pledge
from pledge.db.models import ConnectedRows, ConnectorTask, Delivery, SubjectKey
from pledge.jobs.tasks import reach_systems
from pledge.rights.fulfil import fulfil_verified
from pledge.rights.hold_release import release_hold
from pledge.rights.holds import create_hold
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import (
    EMAIL,
    PHONE,
    ask,
    collect,
    confirm,
    mailed_code,
)
from tests.staff_accounts import PASSWORD, sign_in
from tests.web.conftest import auth

SHOP_EMAIL = "olga.lopez@example.com"
SHOP_PHONE = "+1-555-2404040"  # as the shop stores it; the person types it their own way
TYPED_PHONE = "(555) 240-4040"

SYSTEMS_YAML = """
systems:
  shop:
    kind: sqlite
    url_env: SHOP_TEST_URL
    collections:
      customer:
        primary_key: id
        identity: {email: email, shop_customer_id: id}
        restriction: {column: restricted, value: 1}
        fields:
          name: {category: identification, erase: "null"}
          email: {category: identification, erase: "null"}
          phone: {category: identification, erase: "null"}
          street: {category: identification, erase: mask, mask: "[erased]"}
      orders:
        primary_key: id
        references: {customer_id: customer.id}
        fields:
          shipping_street: {category: identification, erase: "null"}
          invoice_no:
            category: identification
            erase: keep
            reason: Invoices are kept ten years for tax law.
"""


def _make_shop(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT, name TEXT, phone TEXT,
                                   street TEXT NOT NULL, restricted INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX ix_customer_email ON customer(email);
            CREATE TABLE orders (id INTEGER PRIMARY KEY,
                                 customer_id INTEGER NOT NULL REFERENCES customer(id),
                                 total TEXT, shipping_street TEXT, invoice_no TEXT);
            CREATE INDEX ix_orders_customer ON orders(customer_id);
            """
        )
        people = [
            (1, SHOP_EMAIL, "Olga Lopez", SHOP_PHONE, "5264 Spring Place"),
            (2, "john.rossi@example.com", "John Rossi", "+1-555-8037042", "5317 Highland Place"),
            (3, EMAIL, "Wilhelmina Quartermaine", "+33 1 23 45 67 89", "1 Rue des Tisserands"),
        ]
        db.executemany(
            "INSERT INTO customer (id, email, name, phone, street) VALUES (?, ?, ?, ?, ?)", people
        )
        db.executemany(
            "INSERT INTO orders (customer_id, total, shipping_street, invoice_no) "
            "VALUES (?, ?, ?, ?)",
            [
                (1, "881.20", "5264 Spring Place", "INV-1"),
                (1, "20.00", "9 Elm Road", "INV-2"),
                (2, "168.13", "5317 Highland Place", "INV-3"),
                (3, "12.50", "1 Rue des Tisserands", "INV-4"),
            ],
        )


@pytest.fixture
def web(mailer: Pledge, client: TestClient) -> TestClient:
    """The HTTP client over the app of the mailing Pledge."""
    return client


@pytest.fixture
def shop(tmp_path: Path, mailer: Pledge, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A shop database declared as a connected system of the mailing Pledge."""
    folder = tmp_path / "shop"
    folder.mkdir()
    database = folder / "shop.sqlite"
    _make_shop(database)
    declared = tmp_path / "systems.yaml"
    declared.write_text(SYSTEMS_YAML, encoding="utf-8")
    monkeypatch.setenv("SHOP_TEST_URL", f"sqlite:///{database}")
    mailer.settings.systems = declared
    mailer.forget_state(Systems)  # read PLEDGE_SYSTEMS again, as a restart would
    yield database
    mailer.state(Systems, lambda: Systems.load(None)).close()


def _rows(database: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return list(db.execute(sql, args))


def _others_digest(database: Path, keep_out: int) -> str:
    rows = _rows(database, "SELECT * FROM customer WHERE id != ? ORDER BY id", keep_out)
    rows += _rows(database, "SELECT * FROM orders WHERE customer_id != ? ORDER BY id", keep_out)
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _run(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, email: str, **body: Any
) -> dict[str, Any]:
    request = ask(web, email=email, country="US", region="NY", **body)
    done = confirm(web, request, mailed_code(mailer, smtp, email))
    return {**done, "token": request["token"]}


def _package(web: TestClient, done: dict[str, Any]) -> dict[str, Any]:
    answer = web.get(f"/api/v1/requests/{done['id']}/package", headers=auth(done["token"]))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_access_gives_the_rows_of_a_person_known_only_to_the_shop(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path
) -> None:
    done = _run(mailer, smtp, web, SHOP_EMAIL, match={"phone": TYPED_PHONE})
    assert (done["status"], done["verification"]) == ("completed", "full")
    body = _package(web, done)
    (system,) = body["systems"]
    assert system["system"] == "shop"
    by_collection = {c["collection"]: c for c in system["collections"]}
    assert set(by_collection) == {"customer", "orders"}
    (customer,) = by_collection["customer"]["rows"]
    assert customer["data"]["identification"]["name"] == "Olga Lopez"
    assert "restricted" not in customer["data"]["identification"]  # undeclared: never read
    streets = sorted(
        r["data"]["identification"]["shipping_street"] for r in by_collection["orders"]["rows"]
    )
    assert streets == ["5264 Spring Place", "9 Elm Road"]
    assert "John Rossi" not in repr(body)
    with mailer.sessions() as session:  # the package holds them now; no second copy
        assert session.scalar(select(ConnectedRows.id)) is None


def test_a_second_point_that_does_not_match_the_shop_gives_categories_only(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path
) -> None:
    done = _run(mailer, smtp, web, SHOP_EMAIL, match={"phone": "+1 555 000 1111"})
    assert (done["status"], done["verification"]) == ("completed", "categories")
    body = _package(web, done)
    counts = {c["collection"]: c["rows"] for c in body["systems"][0]["collections"]}
    assert counts == {"customer": 1, "orders": 2}
    assert "Olga" not in repr(body)


def test_erasure_without_a_second_point_is_refused_when_the_shop_holds_the_person(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path
) -> None:
    done = _run(mailer, smtp, web, SHOP_EMAIL, type="erasure")
    assert done["status"] == "denied"
    assert _rows(shop, "SELECT name FROM customer WHERE id = 1") == [("Olga Lopez",)]


def test_erasure_reaches_the_shop_per_field_and_touches_no_one_else(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path
) -> None:
    before = _others_digest(shop, keep_out=1)
    done = _run(mailer, smtp, web, SHOP_EMAIL, type="erasure", match={"phone": TYPED_PHONE})
    assert done["status"] == "completed", done
    assert _rows(shop, "SELECT email, name, phone, street FROM customer WHERE id = 1") == [
        (None, None, None, "[erased]")
    ]
    assert _rows(shop, "SELECT shipping_street, invoice_no FROM orders WHERE customer_id = 1") == [
        (None, "INV-1"),
        (None, "INV-2"),
    ]
    assert _others_digest(shop, keep_out=1) == before
    result = done["result"]
    (report,) = result["systems"]
    assert report["complete"]
    assert report["residual"] == 0
    assert report["collections"]["orders"]["kept"] == {
        "invoice_no": "Invoices are kept ten years for tax law."
    }
    kept = [e for e in result["exceptions"] if e.get("system") == "shop"]
    assert kept == [
        {
            "system": "shop",
            "collection": "orders",
            "field": "invoice_no",
            "reason": "Invoices are kept ten years for tax law.",
        }
    ]


def test_erasure_of_a_person_in_both_places_erases_both(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, shop: Path
) -> None:
    collect(web, system_key)
    done = _run(mailer, smtp, web, EMAIL, type="erasure", match={"phone": PHONE})
    assert done["status"] == "completed", done
    assert done["result"]["key_destroyed"] is True
    assert _rows(shop, "SELECT email, name FROM customer WHERE id = 3") == [(None, None)]


def test_a_legal_hold_stops_the_erasure_in_the_shop_too(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, shop: Path
) -> None:
    collect(web, system_key)
    create_hold(mailer, email=EMAIL, reason="litigation 2026-17", actor="test")
    done = _run(mailer, smtp, web, EMAIL, type="erasure", match={"phone": PHONE})
    assert done["status"] == "denied"
    assert _rows(shop, "SELECT name FROM customer WHERE id = 3") == [("Wilhelmina Quartermaine",)]
    with mailer.sessions() as session:
        assert session.scalar(select(ConnectorTask.id)) is None


def test_a_shop_that_is_down_makes_the_erasure_wait_then_it_completes_once(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, shop: Path
) -> None:
    collect(web, system_key)  # known to Pledge too, verified by its own phone
    away = shop.parent.with_name("shop-away")
    shutil.move(shop.parent, away)  # the database cannot be opened: the system is down
    done = _run(mailer, smtp, web, EMAIL, type="erasure", match={"phone": PHONE})
    assert done["status"] == "awaiting_systems"
    with mailer.sessions() as session:
        (task,) = session.scalars(select(ConnectorTask)).all()
        assert (task.status, task.last_error) == ("pending", "OperationalError")
        assert session.scalar(select(SubjectKey.wrapped_key)) is not None  # not erased here yet
    assert reach_systems(mailer) == 0  # not due yet (back-off): nothing is tried
    shutil.move(away, shop.parent)
    with mailer.transaction() as session:
        session.execute(update(Delivery).values(next_attempt_at=Delivery.created_at))
    assert reach_systems(mailer) == 1
    status = web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"])).json()
    assert status["status"] == "completed"
    assert _rows(shop, "SELECT name FROM customer WHERE id = 3") == [(None,)]
    with mailer.sessions() as session:
        assert session.scalar(select(SubjectKey.wrapped_key)) is None  # shredded after the shop
    assert reach_systems(mailer) == 0  # nothing left to do: done once


def test_a_person_known_only_to_a_shop_that_is_down_waits_verified(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path
) -> None:
    away = shop.parent.with_name("shop-away")
    shutil.move(shop.parent, away)
    done = _run(mailer, smtp, web, SHOP_EMAIL, type="erasure", match={"phone": TYPED_PHONE})
    assert done["status"] == "verified"  # whether the shop holds them is not known yet
    shutil.move(away, shop.parent)
    fulfil_verified(mailer)
    status = web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"])).json()
    assert status["status"] == "completed"
    assert _rows(shop, "SELECT name FROM customer WHERE id = 1") == [(None,)]


def test_an_approved_correction_reaches_the_shop(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path, admin_key: str
) -> None:
    done = _run(
        mailer,
        smtp,
        web,
        SHOP_EMAIL,
        type="rectification",
        match={"phone": TYPED_PHONE},
        corrections={"name": "Olga López"},
    )
    assert done["status"] == "awaiting_review"
    approved = web.post(f"/api/v1/admin/requests/{done['id']}/approve", headers=auth(admin_key))
    assert approved.json()["status"] == "completed", approved.text
    assert _rows(shop, "SELECT name FROM customer WHERE id = 1") == [("Olga López",)]
    assert _rows(shop, "SELECT name FROM customer WHERE id = 2") == [("John Rossi",)]
    (report,) = approved.json()["result"]["systems"]
    assert report["collections"]["customer"]["changed"] == 1


def test_a_restriction_sets_the_shops_flag(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path
) -> None:
    done = _run(mailer, smtp, web, SHOP_EMAIL, type="restriction", match={"phone": TYPED_PHONE})
    assert done["status"] == "completed", done
    flags = _rows(shop, "SELECT id, restricted FROM customer ORDER BY id")
    assert flags == [(1, 1), (2, 0), (3, 0)]


def test_staff_see_each_systems_task_on_the_request(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path
) -> None:
    done = _run(mailer, smtp, web, SHOP_EMAIL, type="erasure", match={"phone": TYPED_PHONE})
    officer = "officer@interactions.com"
    create_user(mailer, email=officer, role="staff", password=PASSWORD, actor="t")
    assert sign_in(web, officer) == 303
    page = web.get(f"/admin/requests/{done['id']}")
    assert page.status_code == 200
    assert 'data-system="shop" data-task-status="done"' in page.text
    assert "kept invoice_no (Invoices are kept ten years for tax law.)" in page.text


def test_an_access_request_waits_for_a_shop_that_is_down_then_gets_its_rows(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, shop: Path
) -> None:
    collect(web, system_key)  # known to Pledge, verified by its own phone: the shop is read later
    away = shop.parent.with_name("shop-away")
    shutil.move(shop.parent, away)
    done = _run(mailer, smtp, web, EMAIL, match={"phone": PHONE})
    assert done["status"] == "awaiting_systems"
    shutil.move(away, shop.parent)
    with mailer.transaction() as session:
        session.execute(update(Delivery).values(next_attempt_at=Delivery.created_at))
    assert reach_systems(mailer) == 1
    body = _package(web, done)
    (system,) = body["systems"]
    names = {c["collection"]: c["rows"] for c in system["collections"]}
    (customer,) = names["customer"]
    assert customer["data"]["identification"]["name"] == "Wilhelmina Quartermaine"
    assert body["categories"]  # and what Pledge itself holds


LOYALTY_YAML = """
  loyalty:
    kind: sqlite
    url_env: LOYALTY_TEST_URL
    collections:
      members:
        primary_key: id
        identity: {shop_customer_id: shop_customer_id}
        fields:
          nickname: {category: identification, erase: "null"}
"""


@pytest.fixture
def loyalty(tmp_path: Path, mailer: Pledge, shop: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A second system that knows people only by the shop's customer id."""
    database = tmp_path / "loyalty.sqlite"
    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, shop_customer_id TEXT, nickname TEXT)"
        )
        db.executemany(
            "INSERT INTO members (shop_customer_id, nickname) VALUES (?, ?)",
            [("1", "olgita"), ("2", "johnny")],
        )
    declared = tmp_path / "systems.yaml"
    declared.write_text(SYSTEMS_YAML + LOYALTY_YAML, encoding="utf-8")
    monkeypatch.setenv("LOYALTY_TEST_URL", f"sqlite:///{database}")
    mailer.forget_state(Systems)
    return database


def test_an_identity_found_in_one_system_leads_into_another(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, shop: Path, loyalty: Path
) -> None:
    done = _run(mailer, smtp, web, SHOP_EMAIL, match={"phone": TYPED_PHONE})
    systems = {s["system"]: s for s in _package(web, done)["systems"]}
    (member,) = systems["loyalty"]["collections"][0]["rows"]
    assert member["data"]["identification"]["nickname"] == "olgita"
    erased = _run(mailer, smtp, web, SHOP_EMAIL, type="erasure", match={"phone": TYPED_PHONE})
    assert erased["status"] == "completed", erased
    assert _rows(loyalty, "SELECT shop_customer_id, nickname FROM members ORDER BY id") == [
        ("1", None),
        ("2", "johnny"),
    ]


SMS_YAML = """
  sms:
    kind: sqlite
    url_env: SMS_TEST_URL
    collections:
      threads:
        primary_key: id
        identity: {phone: phone}
        fields:
          phone: {category: identification, erase: "null"}
          last_message: {category: identification, erase: "null"}
"""


def test_a_system_that_knows_people_by_phone_is_reached_with_the_phone_pledge_holds(
    tmp_path: Path,
    mailer: Pledge,
    smtp: SmtpServer,
    web: TestClient,
    system_key: str,
    shop: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = tmp_path / "sms.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, phone TEXT, last_message TEXT)")
        db.executemany(
            "INSERT INTO threads (phone, last_message) VALUES (?, ?)",
            [("+33123456789", "see you at the fair"), ("+15558037042", "order shipped")],
        )
    (tmp_path / "systems.yaml").write_text(SYSTEMS_YAML + SMS_YAML, encoding="utf-8")
    monkeypatch.setenv("SMS_TEST_URL", f"sqlite:///{database}")
    mailer.forget_state(Systems)
    collect(web, system_key)  # Pledge holds the person's phone, "+33 1 23 45 67 89"
    done = _run(mailer, smtp, web, EMAIL, type="erasure", match={"phone": PHONE})
    assert done["status"] == "completed", done
    assert _rows(database, "SELECT phone, last_message FROM threads ORDER BY id") == [
        (None, None),
        ("+15558037042", "order shipped"),
    ]


def test_after_a_legal_hold_ends_the_erasure_reaches_the_shop(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, shop: Path
) -> None:
    collect(web, system_key)
    hold = create_hold(mailer, email=EMAIL, reason="litigation 2026-17", actor="test")
    done = _run(mailer, smtp, web, EMAIL, type="erasure", match={"phone": PHONE})
    assert done["status"] == "denied"
    release_hold(mailer, hold.id, actor="test")
    assert reach_systems(mailer) == 1
    assert _rows(shop, "SELECT name FROM customer WHERE id = 3") == [(None,)]
    with mailer.sessions() as session:
        (task,) = session.scalars(select(ConnectorTask)).all()
    assert task.status == "done"


def test_a_hold_placed_while_the_shop_was_down_stops_the_erasure_there(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, shop: Path
) -> None:
    collect(web, system_key)
    away = shop.parent.with_name("shop-away")
    shutil.move(shop.parent, away)
    done = _run(mailer, smtp, web, EMAIL, type="erasure", match={"phone": PHONE})
    assert done["status"] == "awaiting_systems"
    create_hold(mailer, email=EMAIL, reason="litigation 2026-18", actor="test")
    shutil.move(away, shop.parent)
    with mailer.transaction() as session:
        session.execute(update(Delivery).values(next_attempt_at=Delivery.created_at))
    reach_systems(mailer)
    assert _rows(shop, "SELECT name FROM customer WHERE id = 3") == [("Wilhelmina Quartermaine",)]
    status = web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"])).json()
    assert status["status"] == "denied"  # the hold is the exception, in the law's words
