"""Filter a send list against subjects with mixed consent states on PostgreSQL.

Seeding goes straight to the tables with COPY (not through the collection
API, which would take far longer and is measured by ``seed_records.py``):
each subject gets its e-mail identity (the real blind index; the ciphertext
is random bytes, since the filter never decrypts), a jurisdiction mix of
EU/UK/CH (opt-in) and US (opt-out), and a mix of consent states,
suppressions, restrictions and do-not-call entries. The filter then runs in
a fresh process, so its peak RSS is the filter's own.

    .venv/bin/python benchmarks/consent_filter.py --subjects 1000000 --recipients 1000000

Phases: ``seed`` (with ``--master-key`` to keep one), ``filter`` (the library call, in a
fresh process, ``--strategy auto|push|pull``), ``http`` (the same list through
``POST /api/v1/marketing/filter`` of a real ``pledge serve``); ``all`` does each in turn.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from pledge.startup import upgrade_schema

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "pledge_bench_consent"
JURISDICTIONS = [("eu", "FR"), ("uk", "GB"), ("ch", "CH"), ("default", "US"), ("eu", "DE")]


def email_of(n: int) -> str:
    return f"reader{n}@bench.example"


def database_url() -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME


def fresh_database() -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()


def _rows(n_subjects: int, keys: Any) -> dict[str, list[tuple[Any, ...]]]:
    from pledge.consent import email_indexes
    from pledge.db.base import utcnow

    now = utcnow()
    indexes = email_indexes(keys, [email_of(n) for n in range(n_subjects)])
    out: dict[str, list[tuple[Any, ...]]] = {
        k: []
        for k in (
            "subjects",
            "identities",
            "consent_states",
            "reach",
            "suppressions",
            "restrictions",
        )
    }
    blob = os.urandom(40)
    for n, index in enumerate(indexes):
        subject_id = str(uuid.UUID(int=n + 1))
        jurisdiction, country = JURISDICTIONS[n % len(JURISDICTIONS)]
        out["subjects"].append((subject_id, jurisdiction, country, now))
        out["identities"].append((str(uuid.uuid4()), subject_id, "email", index, blob, now))
        state = n % 10
        granted = state != 5 if state < 6 else None
        # The ledger keeps marketing_reach with every event; seeded here as it would stand.
        out["reach"].append(
            (
                bytes.fromhex(index),
                "marketing",
                subject_id,
                jurisdiction,
                granted,
                now if granted is not None else None,
            )
        )
        if state < 6:  # 60 % have an e-mail event: 4 in 5 granted
            out["consent_states"].append(
                (
                    str(uuid.uuid4()),
                    subject_id,
                    "marketing",
                    "email",
                    state != 5,
                    "web_form",
                    str(uuid.uuid4()),
                    now,
                )
            )
        if n % 97 == 0:
            out["suppressions"].append((str(uuid.uuid4()), index, "opt_out_marketing", now))
        if n % 101 == 0:
            out["restrictions"].append((str(uuid.uuid4()), subject_id, "restriction", now))
    return out


def seed(n_subjects: int, master_key: str) -> None:
    import psycopg

    from pledge.core import Pledge
    from pledge.settings import Settings

    fresh_database()
    pledge = Pledge(Settings(database_url=database_url(), master_key=master_key))
    upgrade_schema(pledge)
    started = time.perf_counter()
    rows = _rows(n_subjects, pledge.keys)
    pledge.dispose()
    copies = {
        "subjects": "subjects (id, jurisdiction, country, created_at)",
        "identities": "identities (id, subject_id, kind, blind_index, ciphertext, created_at)",
        "consent_states": "consent_states (id, subject_id, purpose, channel, granted, method,"
        " event_id, recorded_at)",
        "reach": "marketing_reach (email_index, purpose, subject_id, jurisdiction,"
        " email_granted, email_at)",
        "suppressions": "marketing_suppressions (id, email_index, reason, created_at)",
        "restrictions": "subject_restrictions (id, subject_id, kind, created_at)",
    }
    with psycopg.connect(database_url().replace("+psycopg", "")) as conn:
        with conn.cursor() as cursor:
            for name, target in copies.items():
                with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in rows[name]:
                        copy.write_row(row)
            # Every subject has its reach row, as Pledge writes them: the purpose is covered
            # (already marked when the schema upgrade found the tables empty).
            cursor.execute(
                "INSERT INTO marketing_reach_coverage (purpose, covered_at) VALUES (%s, now())"
                " ON CONFLICT (purpose) DO NOTHING",
                ("marketing",),
            )
        conn.commit()
        # Settle the bulk load as a production database long has been: statistics, hint bits
        # and the visibility map (VACUUM), and a checkpoint, so the filter runs below do not
        # pay for the load's first reads rewriting pages, nor share the disk with its flush.
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    print(f"seeded {n_subjects:,} subjects by COPY in {time.perf_counter() - started:.1f} s")


def _time_stages() -> dict[str, float]:
    """Wrap the filter's stages with timers (the benchmark's own instrumentation)."""
    from pledge.consent.sendlist import filter as send_filter
    from pledge.consent.sendlist import matching

    stages: dict[str, float] = {}
    names = [
        (send_filter, "email_digests", "hashing"),
        (send_filter, "ensure_coverage", "coverage check"),
        (matching, "_pull_masks", "pull + look-up"),
        (matching, "_load", "COPY in"),
        (matching, "_push_masks", "join"),
        (matching, "rare_facts", "rare facts"),
    ]
    for module, attr, label in names:
        inner = getattr(module, attr)

        def timed(*args: Any, _inner: Any = inner, _label: str = label) -> Any:
            began = time.perf_counter()
            try:
                return _inner(*args)
            finally:
                stages[_label] = stages.get(_label, 0.0) + time.perf_counter() - began

        setattr(module, attr, timed)
    return stages


def run_filter(n_recipients: int, master_key: str, strategy: str) -> None:
    from pledge.consent import filter_recipients
    from pledge.core import Pledge
    from pledge.settings import Settings

    pledge = Pledge(Settings(database_url=database_url(), master_key=master_key))
    # Nine in ten recipients are known subjects, one in ten is unknown.
    recipients = [
        email_of(n) if n % 10 else f"stranger{n}@bench.example" for n in range(n_recipients)
    ]
    stages = _time_stages()
    started = time.perf_counter()
    result = filter_recipients(pledge, "email", recipients, strategy=strategy)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a filter process started
    # by the seeding one reported the seeder's peak (969 MiB instead of 594).
    peak_mib = _peak_rss_mib(os.getpid())
    reasons: dict[str, int] = {}
    for _email, reason in result.suppressed:
        reasons[reason] = reasons.get(reason, 0) + 1
    print(
        f"filtered {n_recipients:,} addresses ({strategy}) in {elapsed:.2f} s; "
        f"allowed {len(result.allowed):,}; suppressed {reasons}; peak RSS {peak_mib:.0f} MiB"
    )
    print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print("  (pull: the projection is read in a second thread while the list is hashed)")
    pledge.dispose()


def run_http(n_recipients: int, master_key: str) -> None:
    """The same filter through ``POST /api/v1/marketing/filter`` of a real ``pledge serve``."""
    import httpx

    from pledge.access import create_api_key
    from pledge.core import Pledge
    from pledge.settings import Settings

    pledge = Pledge(Settings(database_url=database_url(), master_key=master_key))
    api_key = create_api_key(pledge, name="bench-filter", role="system")[1]
    pledge.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PLEDGE_DATABASE_URL": database_url(), "PLEDGE_MASTER_KEY": master_key}
    command = [str(Path(sys.executable).with_name("pledge")), "serve", "--no-worker"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        recipients = [
            email_of(n) if n % 10 else f"stranger{n}@bench.example" for n in range(n_recipients)
        ]
        body = json.dumps({"channel": "email", "recipients": recipients}).encode()
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/api/v1/marketing/filter",
            content=body,
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
            timeout=300,
        )
        elapsed = time.perf_counter() - started
        data = response.json()
        peak = _peak_rss_mib(server.pid)
        print(
            f"HTTP: {n_recipients:,} addresses ({len(body) / 1e6:.0f} MB of JSON) answered"
            f" {response.status_code} in {elapsed:.2f} s (request, filter and response);"
            f" allowed {len(data.get('allowed', [])):,}, suppressed"
            f" {len(data.get('suppressed', [])):,}; server peak RSS {peak:.0f} MiB"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(base: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("pledge serve did not start")


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--phase", choices=["all", "seed", "filter", "http"], default="all")
    parser.add_argument("--master-key", default=None)
    parser.add_argument("--strategy", choices=["auto", "push", "pull"], default="auto")
    args = parser.parse_args()
    if args.phase == "filter":
        run_filter(args.recipients, args.master_key, args.strategy)
        return
    if args.phase == "http":
        run_http(args.recipients, args.master_key)
        return
    key = args.master_key or base64.b64encode(secrets.token_bytes(32)).decode()
    seed(args.subjects, key)
    if args.phase == "seed":
        return
    for _ in range(2):  # the second run has warm caches, as a daily send would
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                "filter",
                "--recipients",
                str(args.recipients),
                "--master-key",
                key,
                "--strategy",
                args.strategy,
            ],
            check=True,
        )
    run_http(args.recipients, key)


if __name__ == "__main__":
    main()
