"""Access and erasure through a connected shop database, end to end, beside Fides' figures.

The shop of ``../shared/data/shop/`` (100,000 customers, 500,000 orders, 100,000
addresses) is loaded into PostgreSQL or MariaDB (``benchmarks/shop_data.py``) and
declared in a connected-systems file: identity = the customer's e-mail; erasure
nulls name, email, phone, street, city, postcode, the orders' shipping_street and
the addresses' street, city and postcode (the fields Fides was measured erasing).
Pledge's own store is a fresh PostgreSQL database in which the chosen customers are
recorded too (one identification record each).

Each request is made with :func:`pledge.rights.submit` with the customer's phone
as the second data point (typed in another format than the shop stores it), its
code read from the outbox as the person's mail would show it; the clock runs from
the verification call (which fulfils inline and runs the shop's task at once, as
in production) until the request is completed and, for access, the package is in
hand. Then:

* each access package is checked complete against the shop (every row of the
  customer, their orders and addresses, with the declared values);
* after the erasures, the *residual* counts declared fields of erased customers
  still not null, and the *collateral* compares a digest of every other
  customer's rows (customer, orders, address) before and after;
* memory: the process's resident set after the warm-up and at the end.

    .venv/bin/python benchmarks/connectors.py --kind postgresql
    .venv/bin/python benchmarks/connectors.py --kind mysql --requests 50
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import column, create_engine, func, select, table, text

from pledge.core import Pledge
from pledge.db.models import OutboxMessage
from pledge.jobs import connect_jobs
from pledge.jobs.procrastinate_app import ensure_schema
from pledge.mail import read_mail
from pledge.records import RecordIn, collect
from pledge.rights import RequestIn, package, submit, verify
from pledge.settings import Settings
from pledge.startup import upgrade_schema

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shop_data import ADMIN_URLS, load_shop

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STORE = "pledge_bench_connectors"
CODE = re.compile(r"verification code is (\d{8})")
FIDES = {
    "access_p50": "0.42–0.47 s",
    "access_p95": "0.55 s",
    "erasure_p50": "0.75–0.79 s",
    "erasure_p95": "0.89–0.98 s",
}

SYSTEMS = """
systems:
  shop:
    kind: {kind}
    url_env: BENCH_SHOP_URL
    collections:
      customer:
        primary_key: id
        identity: {{email: email}}
        fields:
          name: {{category: identification, erase: "null"}}
          email: {{category: identification, erase: "null"}}
          phone: {{category: identification, erase: "null"}}
          street: {{category: identification, erase: "null"}}
          city: {{category: identification, erase: "null"}}
          postcode: {{category: identification, erase: "null"}}
      orders:
        primary_key: id
        references: {{customer_id: customer.id}}
        fields:
          shipping_street: {{category: identification, erase: "null"}}
      address:
        primary_key: id
        references: {{customer_id: customer.id}}
        fields:
          street: {{category: identification, erase: "null"}}
          city: {{category: identification, erase: "null"}}
          postcode: {{category: identification, erase: "null"}}
"""

CUSTOMER_FIELDS = ("name", "email", "phone", "street", "city", "postcode")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def store_settings(systems: Path) -> Settings:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{STORE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{STORE}"'))
    admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + STORE
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return Settings(database_url=url, master_key=key, smtp_url=None, systems=systems)


def typed(phone: str) -> str:
    """The shop stores "+1-555-2404040"; the person types "(555) 240-4040"."""
    digits = re.sub(r"\D", "", phone)[-10:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def mailed_code(pledge: Pledge, email: str) -> str:
    with pledge.sessions() as session:
        messages = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "rights_code")
            .order_by(OutboxMessage.created_at.desc())
            .limit(5)
        ).all()
        for message in messages:
            mail = read_mail(pledge.keys, message)
            found = CODE.search(mail.body)
            if mail.to == email and found:
                return found.group(1)
    raise AssertionError("no code in the outbox")


def customers(shop_url: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    engine = create_engine(shop_url)
    with engine.connect() as conn:
        rows = conn.execute(select(CUSTOMER).where(CUSTOMER.c.id.in_(ids))).mappings()
        out = {row["id"]: dict(row) for row in rows}
    engine.dispose()
    return out


CUSTOMER = table("customer", *(column(c) for c in ("id", *CUSTOMER_FIELDS)))
ORDERS = table("orders", column("id"), column("customer_id"), column("shipping_street"))
ADDRESS = table(
    "address",
    column("id"),
    column("customer_id"),
    column("street"),
    column("city"),
    column("postcode"),
)


def held_rows(shop_url: str, customer_id: int) -> dict[str, int]:
    engine = create_engine(shop_url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.scalar(
                select(func.count()).select_from(t).where(t.c.customer_id == customer_id)
            )
            or 0
            for t in (ORDERS, ADDRESS)
        }
    engine.dispose()
    return {"customer": 1, **counts}


def record_in_pledge(pledge: Pledge, people: dict[int, dict[str, Any]]) -> None:
    records = [
        RecordIn.model_validate(
            {
                "subject": {
                    "email": p["email"],
                    "phone": p["phone"],
                    "name": p["name"],
                    "country": "US",
                    "region": "NY",
                },
                "category": "identification",
                "purpose": "respond_to_requests",
                "source": "shop",
                "data": {"name": p["name"], "email": p["email"]},
            }
        )
        for p in people.values()
    ]
    collect(pledge, records, actor="bench", batch=True)


def one(pledge: Pledge, person: dict[str, Any], kind: str, shop_url: str) -> float:
    body = RequestIn(
        type=kind,
        email=person["email"],
        country="US",
        region="NY",
        match={"phone": typed(person["phone"])},
    )
    asked = submit(pledge, body)
    code = mailed_code(pledge, person["email"])
    began = time.perf_counter()
    done = verify(pledge, asked.id, asked.token, code)
    data = package(pledge, asked.id, asked.token) if kind == "access" else None
    elapsed = (time.perf_counter() - began) * 1000
    assert done.status == "completed", done.model_dump_json()[:800]
    if data is not None:
        check_package(data, person, held_rows(shop_url, person["id"]))
    return elapsed


def check_package(data: dict[str, Any], person: dict[str, Any], expected: dict[str, int]) -> None:
    (system,) = data["systems"]
    got = {c["collection"]: c["rows"] for c in system["collections"]}
    counts = {name: len(rows) for name, rows in got.items()}
    assert counts == {k: v for k, v in expected.items() if v}, (counts, expected)
    (customer,) = got["customer"]
    values = customer["data"]["identification"]
    assert all(values[f] == person[f] for f in CUSTOMER_FIELDS), "package values differ"


def residual(shop_url: str, ids: list[int]) -> int:
    """Declared fields of the erased customers that still hold a value."""
    engine = create_engine(shop_url)
    checks = [
        (CUSTOMER, CUSTOMER.c.id, CUSTOMER_FIELDS),
        (ORDERS, ORDERS.c.customer_id, ("shipping_street",)),
        (ADDRESS, ADDRESS.c.customer_id, ("street", "city", "postcode")),
    ]
    left = 0
    with engine.connect() as conn:
        for t, owner, fields in checks:
            for name in fields:
                query = (
                    select(func.count())
                    .select_from(t)
                    .where(owner.in_(ids), t.c[name].is_not(None))
                )
                left += conn.scalar(query) or 0
    engine.dispose()
    return left


def others_digest(shop_url: str, ids: list[int]) -> str:
    """A digest of every row not belonging to the erased customers, in key order."""
    engine = create_engine(shop_url)
    digest = hashlib.sha256()
    queries = [
        select(CUSTOMER).where(CUSTOMER.c.id.not_in(ids)).order_by(CUSTOMER.c.id),
        select(ORDERS).where(ORDERS.c.customer_id.not_in(ids)).order_by(ORDERS.c.id),
        select(ADDRESS).where(ADDRESS.c.customer_id.not_in(ids)).order_by(ADDRESS.c.id),
    ]
    with engine.connect() as conn:
        for query in queries:
            for row in conn.execution_options(yield_per=10_000).execute(query):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


def stats(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=["postgresql", "mysql"], default="postgresql")
    parser.add_argument("--requests", type=int, default=50, help="of each type")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    began = time.perf_counter()
    shop_url = load_shop(args.kind, ADMIN_URLS[args.kind])
    loaded_s = time.perf_counter() - began
    os.environ["BENCH_SHOP_URL"] = shop_url
    systems = Path(tempfile.mkdtemp()) / "systems.yaml"
    systems.write_text(SYSTEMS.format(kind=args.kind), encoding="utf-8")
    pledge = Pledge(store_settings(systems))
    upgrade_schema(pledge)
    ensure_schema(pledge)  # as `pledge worker` does: jobs are deferred, not lost
    connect_jobs(pledge)  # as the web app does: a commit that queued work defers a job

    rng = random.Random(args.seed)
    picked = rng.sample(range(1, 100_001), 2 * args.requests + 2)
    people = customers(shop_url, picked)
    record_in_pledge(pledge, people)
    access_ids, erasure_ids = picked[: args.requests + 1], picked[args.requests + 1 :]
    erased = erasure_ids
    before = others_digest(shop_url, erased)

    one(pledge, people[access_ids[0]], "access", shop_url)  # warm-up, not counted
    rss_warm = rss_mib()
    access = [one(pledge, people[i], "access", shop_url) for i in access_ids[1:]]
    one(pledge, people[erasure_ids[0]], "erasure", shop_url)  # warm-up, not counted
    erasure = [one(pledge, people[i], "erasure", shop_url) for i in erasure_ids[1:]]
    rss_end = rss_mib()

    figures = {
        "kind": args.kind,
        "shop_loaded_s": round(loaded_s, 1),
        "access": stats(access),
        "erasure": stats(erasure),
        "packages_checked_complete": len(access),
        "residual_fields": residual(shop_url, erased),
        "collateral_changed": others_digest(shop_url, erased) != before,
        "rss_mib_after_warmup": round(rss_warm, 1),
        "rss_mib_at_end": round(rss_end, 1),
        "fides": FIDES,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    pledge.dispose()


if __name__ == "__main__":
    main()
