"""Seed subjects × records through the batch collection path and measure it.

Prints records per second, peak memory (RSS of the largest process) and the
p50/p95 time to fetch one subject's records by e-mail.

    .venv/bin/python benchmarks/seed_records.py --db sqlite --subjects 100000
    .venv/bin/python benchmarks/seed_records.py --db postgresql --subjects 100000 --workers 2
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing
import random
import resource
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from pledge.core import Pledge
from pledge.records import RecordIn, collect, records_for_email
from pledge.settings import Settings
from pledge.startup import upgrade_schema

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
COUNTRIES = [("FR", None), ("DE", None), ("US", "CA"), ("US", "NY"), ("GB", None), ("CH", None)]


def email_of(n: int) -> str:
    return f"person{n}@bench.example"


def records_for(n: int, per_subject: int) -> list[RecordIn]:
    country, region = COUNTRIES[n % len(COUNTRIES)]
    subject = {"email": email_of(n), "country": country, "region": region, "name": f"Person {n}"}
    out = []
    for i in range(per_subject):
        data: dict[str, Any] = {"name": f"Person {n}", "email": email_of(n), "company": f"Co {i}"}
        out.append(
            RecordIn.model_validate(
                {
                    "subject": subject,
                    "category": "identification",
                    "purpose": "respond_to_requests",
                    "source": "bench",
                    "data": data,
                }
            )
        )
    return out


def seed_range(args: tuple[Settings, int, int, int, int]) -> int:
    settings, start, stop, per_subject, batch_subjects = args
    pledge = Pledge(settings)
    stored = 0
    for first in range(start, stop, batch_subjects):
        subjects = range(first, min(stop, first + batch_subjects))
        batch = [r for n in subjects for r in records_for(n, per_subject)]
        stored += len(collect(pledge, batch, actor="bench", batch=True))
    pledge.dispose()
    return stored


def make_settings(db: str) -> Settings:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    if db == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return Settings(database_url=f"sqlite:///{path}", master_key=key)
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "pledge_bench" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "pledge_bench"'))
    admin.dispose()
    return Settings(database_url=PG_ADMIN.rsplit("/", 1)[0] + "/pledge_bench", master_key=key)


def measure_lookups(pledge: Pledge, subjects: int, samples: int) -> tuple[float, float]:
    timings = []
    for n in random.sample(range(subjects), min(samples, subjects)):
        began = time.perf_counter()
        found = records_for_email(pledge, email_of(n))
        timings.append((time.perf_counter() - began) * 1000)
        assert found, "seeded subject not found"
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--records-per-subject", type=int, default=10)
    parser.add_argument(
        "--batch-subjects",
        type=int,
        default=1000,
        help="subjects per batch (1,000 x 10 records = the 10,000-record limit)",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lookups", type=int, default=1000)
    args = parser.parse_args()
    if args.db == "sqlite" and args.workers != 1:
        parser.error("SQLite has one writer: use --workers 1")

    settings = make_settings(args.db)
    upgrade_schema(Pledge(settings))
    step = -(-args.subjects // args.workers)
    jobs = [
        (settings, lo, min(args.subjects, lo + step), args.records_per_subject, args.batch_subjects)
        for lo in range(0, args.subjects, step)
    ]
    began = time.perf_counter()
    if args.workers == 1:
        stored = sum(map(seed_range, jobs))
    else:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            stored = sum(pool.map(seed_range, jobs))
    elapsed = time.perf_counter() - began
    pledge = Pledge(settings)
    p50, p95 = measure_lookups(pledge, args.subjects, args.lookups)
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"database            {args.db} ({args.workers} writer process(es))")
    print(f"records stored      {stored:,} for {args.subjects:,} subjects")
    print(f"seeding time        {elapsed:.1f} s")
    print(f"records per second  {stored / elapsed:,.0f}")
    print(f"peak memory (RSS)   {max(peak_self, peak_children):,.0f} MiB")
    print(f"lookup by e-mail    p50 {p50:.2f} ms, p95 {p95:.2f} ms ({args.lookups} lookups)")
    pledge.dispose()


if __name__ == "__main__":
    main()
