"""Load the shop data of ``../shared/data/shop/`` into PostgreSQL or MariaDB: a company's database.

Reusable by any benchmark that needs a connected shop database (the
repository's root on ``sys.path``)::

    from benchmarks.shop_data import load_shop, systems_yaml
    url = load_shop("postgresql", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    Path("systems.yaml").write_text(systems_yaml("postgresql"))

PostgreSQL is loaded with ``COPY ... FROM STDIN`` (psycopg), MariaDB with
``LOAD DATA LOCAL INFILE``; both then get the indexes and foreign keys the
data's README names (``customer(email)``, ``orders(customer_id)``,
``address(customer_id)``; orders and address reference ``customer.id``) and
fresh statistics. ``reuse=True`` keeps a database already loaded in full.

    .venv/bin/python benchmarks/shop_data.py postgresql mysql   # load both, print the URLs
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, table, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("PLEDGE_SHOP_DATA", REPO.parent / "shared" / "data" / "shop"))
ADMIN_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/mysql",
}
DATABASE = "pledge_bench_shop"
TABLES = ("customer", "orders", "address")

_TEXT = {"postgresql": "text", "mysql": "varchar(255)"}
_TIME = {"postgresql": "timestamp", "mysql": "datetime"}


def _ddl(kind: str) -> list[str]:
    t, ts = _TEXT[kind], _TIME[kind]
    return [
        f"CREATE TABLE customer (id bigint PRIMARY KEY, email {t}, name {t},"
        f" phone {t}, street {t}, city {t}, postcode {t}, created_at {ts})",
        f"CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL,"
        f" total numeric(10, 2), shipping_street {t}, created_at {ts})",
        f"CREATE TABLE address (id bigint PRIMARY KEY, customer_id bigint NOT NULL,"
        f" street {t}, city {t}, postcode {t})",
    ]


AFTER_LOAD = [
    "CREATE INDEX customer_email ON customer (email)",
    "CREATE INDEX orders_customer_id ON orders (customer_id)",
    "CREATE INDEX address_customer_id ON address (customer_id)",
    "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk"
    " FOREIGN KEY (customer_id) REFERENCES customer (id)",
    "ALTER TABLE address ADD CONSTRAINT address_customer_fk"
    " FOREIGN KEY (customer_id) REFERENCES customer (id)",
]
ANALYZE = {"postgresql": "ANALYZE", "mysql": "ANALYZE TABLE customer, orders, address"}


def manifest(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Table -> its row count, from the data's MANIFEST.json."""
    tables = json.loads((data_dir / "MANIFEST.json").read_text())["tables"]
    return {name: int(tables[name]["rows"]) for name in TABLES}


def _columns(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return stream.readline().strip().split(",")


def _recreate(kind: str, admin_url: str, database: str) -> None:
    quoted = f'"{database}"' if kind == "postgresql" else f"`{database}`"
    force = " WITH (FORCE)" if kind == "postgresql" else ""
    create = f"CREATE DATABASE {quoted}" + (" CHARACTER SET utf8mb4" if kind == "mysql" else "")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted}{force}"))
            conn.execute(text(create))
    finally:
        admin.dispose()


def _copy_postgresql(engine: Engine, data_dir: Path) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for name in TABLES:
                path = data_dir / f"{name}.csv.gz"
                columns = ", ".join(_columns(path))
                statement = f"COPY {name} ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
                with cursor.copy(statement) as copy, gzip.open(path, "rb") as stream:  # type: ignore[attr-defined]
                    while chunk := stream.read(1 << 20):
                        copy.write(chunk)
        raw.commit()
    finally:
        raw.close()


def _load_mysql(engine: Engine, data_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp, engine.begin() as conn:
        for name in TABLES:
            source = data_dir / f"{name}.csv.gz"
            plain = Path(tmp) / f"{name}.csv"
            with gzip.open(source, "rb") as stream, plain.open("wb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
            columns = ", ".join(_columns(source))
            conn.exec_driver_sql(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE {name} CHARACTER SET utf8mb4"
                " FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"'"
                f" LINES TERMINATED BY '\\n' IGNORE 1 LINES ({columns})",
                (str(plain),),
            )


def _counts(engine: Engine) -> dict[str, int]:
    try:
        with engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
                for name in TABLES
            }
    except Exception:
        return {}


def load_shop(
    kind: str,
    admin_url: str | None = None,
    *,
    database: str = DATABASE,
    data_dir: Path = DATA_DIR,
    reuse: bool = False,
) -> str:
    """Create ``database`` on the server of ``admin_url``, load the shop into it; its URL.

    ``kind`` is ``postgresql`` or ``mysql`` (MariaDB). An existing database of
    that name is dropped first, unless ``reuse`` and it already holds every row."""
    if kind not in ADMIN_URLS:
        raise ValueError(f"kind must be one of {sorted(ADMIN_URLS)}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
        raise ValueError("database: lower-case letters, digits and underscores only")
    admin_url = admin_url or ADMIN_URLS[kind]
    url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    connect_args = {"local_infile": True} if kind == "mysql" else {}
    if reuse:
        probe = create_engine(url)
        loaded = _counts(probe) == manifest(data_dir)
        probe.dispose()
        if loaded:
            return url
    _recreate(kind, admin_url, database)
    engine = create_engine(url, connect_args=connect_args)
    loaders: dict[str, Callable[[Engine, Path], None]] = {
        "postgresql": _copy_postgresql,
        "mysql": _load_mysql,
    }
    try:
        with engine.begin() as conn:
            for statement in _ddl(kind):
                conn.execute(text(statement))
        loaders[kind](engine, data_dir)
        with engine.begin() as conn:
            for statement in [*AFTER_LOAD, ANALYZE[kind]]:
                conn.execute(text(statement))
        if _counts(engine) != manifest(data_dir):
            raise RuntimeError("the loaded row counts differ from MANIFEST.json")
    finally:
        engine.dispose()
    return url


def systems_yaml(
    kind: str,
    *,
    system_id: str = "shop",
    url_env: str = "SHOP_DATABASE_URL",
    identification: str = "identification",
    contact: str = "contact",
    transaction: str = "transaction",
) -> str:
    """The connected-systems file for the loaded shop; category names as the policy has them.

    Erasure nulls what the Fides comparison nulls (name, email, phone, street,
    city, postcode, shipping_street, the address book); order totals and dates
    are kept for the tax law."""
    place = {"category": identification, "erase": "null"}
    keep = {"category": transaction, "erase": "keep", "reason": "tax law: invoices are kept"}
    document = {
        "systems": {
            system_id: {
                "kind": kind,
                "url_env": url_env,
                "collections": {
                    "customer": {
                        "primary_key": "id",
                        "identity": {"email": "email"},
                        "fields": {
                            "name": place,
                            "email": {"category": contact, "erase": "null"},
                            "phone": {"category": contact, "erase": "null"},
                            "street": place | {"field": "address"},
                            "city": place,
                            "postcode": place,
                        },
                    },
                    "orders": {
                        "primary_key": "id",
                        "references": {"customer_id": "customer.id"},
                        "fields": {
                            "shipping_street": place | {"field": "address"},
                            "total": keep,
                            "created_at": keep,
                        },
                    },
                    "address": {
                        "primary_key": "id",
                        "references": {"customer_id": "customer.id"},
                        "fields": {
                            "street": place | {"field": "address"},
                            "city": place,
                            "postcode": place,
                        },
                    },
                },
            }
        }
    }
    return json.dumps(document, indent=2) + "\n"  # JSON is YAML


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("kinds", nargs="+", choices=sorted(ADMIN_URLS))
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    for kind in args.kinds:
        url = load_shop(kind, database=args.database, reuse=args.reuse)
        print(f"{kind}: {make_url(url).render_as_string(hide_password=True)}")


if __name__ == "__main__":
    main()
