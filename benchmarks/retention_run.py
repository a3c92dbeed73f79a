"""A retention run that expires 1,000,000 of 2,000,000 records on PostgreSQL.

Seeding goes straight to the tables with COPY (the point is the deletion, not
collection, which ``seed_records.py`` measures): ``--subjects`` people with a
wrapped key and an e-mail identity each, ``--per-subject`` records each (the
ciphertext random bytes, as pre-encrypted rows; the run never decrypts). A
quarter of the people have only expired records (they are shredded), half
have half of theirs expired, a quarter none: half of all records expire.

The run then goes in a fresh process, so its peak memory is its own, with
every SQL statement timed (SQLAlchemy cursor events) and every transaction
timed by the run itself; meanwhile a probe thread collects one record for a
live person every 50 ms through its own connection and times each commit, to
show the run never holds the store for long.

    .venv/bin/python benchmarks/retention_run.py all --subjects 200000 --per-subject 10

Phases: ``seed``, ``run`` (``--dry-run`` to count only), ``all`` (seed, then run).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, event, text

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "pledge_bench_retention"
MASTER_KEY = base64.b64encode(b"retention-benchmark-master-key!!").decode()
CATEGORIES = ("identification", "event", "employment_application", "internet_activity")


def database_url() -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME


def fresh_database() -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()


def pledge_instance() -> Any:
    from pledge.core import Pledge
    from pledge.settings import Settings

    return Pledge(Settings(database_url=database_url(), master_key=MASTER_KEY, smtp_url=None))


def expired_count(n: int, per_subject: int) -> int:
    """How many of person ``n``'s records have expired: all, half or none."""
    quarter = n % 4
    return per_subject if quarter == 0 else 0 if quarter == 3 else per_subject // 2


def seed(subjects: int, per_subject: int) -> None:
    import psycopg

    from pledge.db.base import utcnow
    from pledge.startup import upgrade_schema

    fresh_database()
    pledge = pledge_instance()
    upgrade_schema(pledge)
    pledge.dispose()
    now = utcnow()
    past, future = now - timedelta(days=30), now + timedelta(days=365)
    blob, key = os.urandom(96), os.urandom(60)
    names = json.dumps(["name", "email", "company"])
    started = time.perf_counter()
    with psycopg.connect(database_url().replace("+psycopg", "")) as conn, conn.cursor() as cur:
        with cur.copy("COPY subjects (id, jurisdiction, country, created_at) FROM STDIN") as copy:
            for n in range(subjects):
                copy.write_row((str(uuid.UUID(int=n + 1)), "eu", "FR", now))
        with cur.copy("COPY subject_keys (subject_id, wrapped_key, created_at) FROM STDIN") as copy:
            for n in range(subjects):
                copy.write_row((str(uuid.UUID(int=n + 1)), key, now))
        with cur.copy(
            "COPY identities (id, subject_id, kind, blind_index, ciphertext, created_at) FROM STDIN"
        ) as copy:
            for n in range(subjects):
                index = f"{n:064x}"
                copy.write_row(
                    (str(uuid.uuid4()), str(uuid.UUID(int=n + 1)), "email", index, blob, now)
                )
        with cur.copy(
            "COPY records (id, subject_id, category, purpose, legal_basis, jurisdiction, source,"
            " policy_version, policy_digest, field_names, ciphertext, collected_at, retain_until)"
            " FROM STDIN"
        ) as copy:
            for n in range(subjects):
                subject_id = str(uuid.UUID(int=n + 1))
                gone = expired_count(n, per_subject)
                for k in range(per_subject):
                    copy.write_row(
                        (
                            str(uuid.uuid4()),
                            subject_id,
                            CATEGORIES[k % len(CATEGORIES)],
                            "respond_to_requests",
                            "contract",
                            "eu",
                            "benchmark",
                            "2020-05-04",
                            "0" * 64,
                            names,
                            blob,
                            now - timedelta(days=800),
                            past if k < gone else future,
                        )
                    )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    total = subjects * per_subject
    expired = sum(expired_count(n, per_subject) for n in range(subjects))
    print(
        f"seeded {subjects:,} people, {total:,} records ({expired:,} expired) by COPY"
        f" in {time.perf_counter() - started:.1f} s"
    )


class Probe(threading.Thread):
    """Collects a record for a live person every 50 ms; keeps the slowest commit."""

    def __init__(self, subjects: int) -> None:
        super().__init__(daemon=True)
        self.engine = create_engine(database_url())
        self.live = str(uuid.UUID(int=(3 if subjects > 3 else subjects - 1) + 1))
        self.stop = threading.Event()
        self.slowest = 0.0
        self.count = 0

    def run(self) -> None:
        while not self.stop.wait(0.05):
            started = time.perf_counter()
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO records (id, subject_id, category, purpose, legal_basis,"
                        " jurisdiction, source, policy_version, policy_digest, field_names,"
                        " ciphertext, collected_at, retain_until) VALUES (:id, :s, 'event',"
                        " 'respond_to_requests', 'contract', 'eu', 'probe', 'v', 'd', '[]',"
                        " 'x', now(), now() + interval '1 year')"
                    ),
                    {"id": str(uuid.uuid4()), "s": self.live},
                )
            self.slowest = max(self.slowest, time.perf_counter() - started)
            self.count += 1


def run(dry_run: bool, subjects: int, trace: bool) -> None:
    from pledge.retention import run_retention

    pledge = pledge_instance()
    statements: list[float] = []
    slowest: dict[str, Any] = {"seconds": 0.0, "sql": ""}

    @event.listens_for(pledge.engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(pledge.engine, "after_cursor_execute")
    def _end(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        took = time.perf_counter() - conn.info.pop("started")
        statements.append(took)
        if took > slowest["seconds"]:
            slowest.update(seconds=took, sql=" ".join(statement.split())[:160])

    transactions: list[float] = []
    plain = pledge.transaction

    @contextmanager
    def timed() -> Iterator[Any]:
        started = time.perf_counter()
        with plain() as session:
            yield session
        transactions.append(time.perf_counter() - started)

    pledge.transaction = timed  # every transaction of the run, commit included
    probe = Probe(subjects)
    probe.start()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    report = run_retention(pledge, dry_run=dry_run)
    elapsed = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if trace else 0
    probe.stop.set()
    probe.join()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in report.lines():
        print(line)
    print(f"run: {elapsed:.1f} s, {report.batches} transactions, {len(statements):,} statements")
    transactions.sort()
    t50, t99 = transactions[len(transactions) // 2], transactions[int(len(transactions) * 0.99)]
    print(
        f"transactions: p50 {t50 * 1000:.0f} ms, p99 {t99 * 1000:.0f} ms,"
        f" longest {transactions[-1] * 1000:.0f} ms"
        f" ({sum(t > 1 for t in transactions)} over 1 s)"
    )
    print(f"longest statement: {slowest['seconds'] * 1000:.0f} ms ({slowest['sql']})")
    statements.sort()
    if statements:
        p50, p99 = statements[len(statements) // 2], statements[int(len(statements) * 0.99)]
        print(f"statements: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(
        f"probe: {probe.count} collections during the run,"
        f" slowest commit {probe.slowest * 1000:.0f} ms"
    )
    print(
        f"peak RSS of the process: {peak_rss:.0f} MiB"
        + (f"; traced peak {traced / 2**20:.1f} MiB" if trace else "")
    )
    probe.engine.dispose()
    pledge.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=("seed", "run", "all"))
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--per-subject", type=int, default=10)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--trace", action="store_true", help="tracemalloc's peak too (slower)")
    args = parser.parse_args()
    if args.phase in ("seed", "all"):
        seed(args.subjects, args.per_subject)
    if args.phase == "run":
        run(args.dry_run, args.subjects, args.trace)
    if args.phase == "all":
        command = [sys.executable, __file__, "run", "--subjects", str(args.subjects)]
        command += ["--dry-run"] if args.dry_run else []
        command += ["--trace"] if args.trace else []
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
