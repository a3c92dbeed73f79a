"""A long schemathesis run against a real ``pledge serve`` on loopback.

``tests/web/test_schemathesis.py`` runs every operation a few times per caller, in
process, on every test run. This runs many more examples over real HTTP:

- a fresh SQLite database in a temporary folder (or, with ``--postgres``, a fresh
  PostgreSQL database, dropped afterwards), schema by ``pledge init``;
- an admin key and a system key (``pledge keys create``) and a Client with its key
  (``pledge clients create``);
- ``pledge serve`` on 127.0.0.1 (its in-process worker too; no SMTP server, so mail
  stays in the outbox and nobody is mailed), with the anonymous intake limits
  raised, since every request comes from this one address;
- the description read from the server's own ``/api/openapi.json``; for each operation
  and each caller (admin, system, Client key, nobody), schemathesis draws requests
  that fit the description and requests that do not. A caller the operation is for
  (``x-pledge-roles``; anyone for a public one) gets ``--examples``; the others,
  which are refused at the door, ``--other-examples``.

Every answer is held to the checks of the test: no 5xx; a documented status, content
type and body; every 4xx JSON ``{"error": {"code", "message", "fields"?}}`` naming the
field for 400 and 422 (``tests/web/api_checks.py``). Failures are counted, not
raised, and the run goes on; at the end it prints a summary (operations, examples,
answers by status, server errors, non-conforming 4xx, other failures with a curl
line to reproduce each, keys filtered) and exits 1 if anything failed. It stops
drawing new examples after ``--seconds``, and says so.

    .venv/bin/python benchmarks/schemathesis_run.py                 # 1,000 per operation
    .venv/bin/python benchmarks/schemathesis_run.py --examples 100 --seconds 120
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.web.api_checks: the checks the test suite uses

import schemathesis  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.web.api_checks import pledge_error_shape  # noqa: E402

PLEDGE = str(ROOT / ".venv" / "bin" / "pledge")
CALLERS = ("admin", "system", "client", "nobody")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    pledge_error_shape,
]
INSTRUCTIONS = """\
collect:
  - field: account_number
    kind: ACCOUNT_ID
  - field: callback_phone
    kind: PHONE
retention_days: 90
"""
ERROR_LINE = re.compile(r"^\S+ \S+ (ERROR|CRITICAL) ")
"""A line the server logged at ERROR or above (``pledge.web.log_config.FORMAT``)."""
PG_ADMIN_URL = os.environ.get(
    "PLEDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pledge(env: dict[str, str], *args: str) -> list[str]:
    """Run a ``pledge`` command; its stdout lines."""
    done = subprocess.run(
        [PLEDGE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"pledge {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip().splitlines()


def wait_healthy(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("pledge serve exited before it answered")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("pledge serve did not answer /healthz")


class OutOfTime(BaseException):
    """Ends a pair's examples at its deadline: a BaseException, so Hypothesis stops at once
    instead of taking it for a failure to shrink."""


@dataclass
class Tally:
    """What the run saw: answers by status, and failures by kind."""

    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    per_operation: Counter[str] = field(default_factory=Counter)
    succeeded: set[str] = field(default_factory=set)
    failures: Counter[tuple[str, str, str, int]] = field(default_factory=Counter)
    reproduce: dict[tuple[str, str, str, int], str] = field(default_factory=dict)
    server_errors: int = 0
    bad_4xx: int = 0
    unsatisfiable: list[str] = field(default_factory=list)
    cut_short: bool = False


def run_operation(
    operation: Any,
    caller: str,
    headers: dict[str, str],
    examples: int,
    session: requests.Session,
    base: str,
    tally: Tally,
    deadline: float,
    run_seed: int,
) -> None:
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | (
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )

    @seed(run_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case: schemathesis.Case) -> None:
        if time.monotonic() > deadline:
            tally.cut_short = True
            raise OutOfTime
        response = case.call(base_url=base, session=session, headers=headers, timeout=30)
        tally.examples += 1
        tally.statuses[response.status_code] += 1
        tally.per_operation[operation.label] += 1
        if response.status_code < 300:
            tally.succeeded.add(operation.label)
        try:
            case.validate_response(response, headers=headers, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                check = getattr(failure, "title", type(failure).__name__)
                key = (caller, operation.label, str(check), response.status_code)
                tally.failures[key] += 1
                if key not in tally.reproduce:
                    line = case.as_curl_command(headers=headers)
                    tally.reproduce[key] = f"{str(failure).strip()[:400]}\n      {line[:600]}"
            if response.status_code >= 500:
                tally.server_errors += 1
            elif response.status_code >= 400 and any(
                "pledge_error_shape" in str(f) for f in group.exceptions
            ):
                tally.bad_4xx += 1

    try:
        one()
    except OutOfTime:
        pass
    except Unsatisfiable:
        tally.unsatisfiable.append(f"{caller} {operation.label}")


def planned(args: argparse.Namespace, operation: Any, caller: str) -> int:
    """Examples for this caller: many for one the operation is for, a few for the others."""
    roles = operation.definition.raw.get("x-pledge-roles") or []
    token_route = "{request_id}" in operation.path  # the token holder's, and an admin's
    wanted = (
        caller in roles
        or (not roles and not token_route)
        or (token_route and caller in ("admin", "nobody"))
    )
    return int(args.examples if wanted else args.other_examples)


def start(args: argparse.Namespace, workdir: Path) -> tuple[dict[str, str], str | None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGE_")}
    env |= {
        "PLEDGE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "PLEDGE_INTAKE_LIMIT_PER_IP": "100000000",
        "PLEDGE_INTAKE_LIMIT_PER_ADDRESS": "100000000",
    }
    database = None
    if args.postgres:
        database = f"pledge_schemathesis_{secrets.token_hex(4)}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        env["PLEDGE_DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    else:
        env["PLEDGE_DATABASE_URL"] = f"sqlite:///{workdir / 'pledge.db'}"
    return env, database


def drop(database: str | None) -> None:
    if database is None:
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--other-examples", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=540)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    run_seed = args.seed if args.seed is not None else secrets.randbelow(2**32)

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        env, database = start(args, workdir)
        try:
            return fuzz(args, env, workdir, run_seed)
        finally:
            drop(database)


def fuzz(args: argparse.Namespace, env: dict[str, str], workdir: Path, run_seed: int) -> int:
    pledge(env, "init")
    (workdir / "instructions.yaml").write_text(INSTRUCTIONS)
    keys = {
        "admin": pledge(env, "keys", "create", "--name", "fuzz-admin", "--role", "admin")[-1],
        "system": pledge(env, "keys", "create", "--name", "fuzz-system", "--role", "system")[-1],
        "client": pledge(
            env,
            "clients",
            "create",
            "--name",
            "Fuzz",
            "--instructions",
            str(workdir / "instructions.yaml"),
        )[-1],
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (workdir / "serve.log").open("wb")
    server = subprocess.Popen(
        [PLEDGE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    tally = Tally()
    started = time.monotonic()
    try:
        wait_healthy(base, server)
        schema = schemathesis.openapi.from_url(f"{base}/api/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        deadline = started + args.seconds
        with requests.Session() as session:
            for operation in operations:
                roles = operation.definition.raw.get("x-pledge-roles") or ["nobody"]
                for caller in CALLERS:
                    wanted = (
                        caller in roles
                        or roles == ["nobody"]
                        or (caller == "admin" and "{request_id}" in operation.path)
                    )
                    headers = {"Authorization": f"Bearer {keys[caller]}"} if caller in keys else {}
                    count = args.examples if wanted else args.other_examples
                    run_operation(
                        operation, caller, headers, count, session, base, tally, deadline, run_seed
                    )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    lasted = time.monotonic() - started
    log_lines = (workdir / "serve.log").read_text(errors="replace").splitlines()
    # By level, not by word: schemathesis sends paths such as /requests/ERROR/verify,
    # and the access log (INFO) shows them.
    errors = [line for line in log_lines if ERROR_LINE.match(line)]
    unhandled = sum("unhandled" in line for line in errors)
    report(args, tally, len(operations), lasted, unhandled, run_seed)
    if errors:  # Pledge logs no personal data, errors included: safe to show
        print(f"server log errors: {len(errors)}; first lines:")
        for line in errors[:20]:
            print("  " + line[:300])
    return 1 if tally.failures or errors else 0


def report(
    args: argparse.Namespace,
    tally: Tally,
    operations: int,
    lasted: float,
    unhandled: int,
    run_seed: int,
) -> None:
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"schemathesis {schemathesis.__version__} against pledge serve on {kind}, seed {run_seed}"
    )
    print(f"operations: {operations}; callers: {len(CALLERS)}")
    print(
        f"examples (requests): {tally.examples} in {lasted:.0f} s"
        f"{' (cut short by --seconds)' if tally.cut_short else ''}"
    )
    by_class = Counter(f"{status // 100}xx" for status in tally.statuses.elements())
    print("answers:", ", ".join(f"{k} {v}" for k, v in sorted(by_class.items())))
    print("by status:", ", ".join(f"{k} {v}" for k, v in sorted(tally.statuses.items())))
    print(f"server errors (5xx): {tally.server_errors}; 'unhandled' in the server log: {unhandled}")
    print(f"non-conforming 4xx: {tally.bad_4xx}")
    print(f"failures: {sum(tally.failures.values())} ({len(tally.failures)} distinct)")
    for key, count in sorted(tally.failures.items()):
        caller, label, check, status = key
        print(f"  {count} x {caller} {label} -> {status}: {check}")
        print(f"      {tally.reproduce[key]}")
    if tally.unsatisfiable:
        print("nothing to draw (no input to vary):", "; ".join(tally.unsatisfiable))
    fewest = min(tally.per_operation.values(), default=0)
    most = max(tally.per_operation.values(), default=0)
    print(f"examples per operation (all callers): {fewest} to {most}")
    print(f"operations answering 2xx at least once: {len(tally.succeeded)} of {operations}")


if __name__ == "__main__":
    sys.exit(main())
