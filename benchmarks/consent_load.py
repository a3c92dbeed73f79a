"""Sustained ``POST /api/v1/consents`` from a loopback load generator.

Starts ``pledge serve --no-worker`` (one process, its own GIL) on a free
loopback port over PostgreSQL, then drives it and reports the achieved rate,
errors and latency percentiles. Loopback only; at most 30 s of load.

The default generator is **open-loop**: request *n* is due at
``start + n / rate`` whatever happened to earlier ones, goes out on any idle
keep-alive connection of a pool, and its latency is measured from that due
time, so a server that stalls is charged for every request it delayed
(no coordinated omission). It is one asyncio process with pre-built request
bytes and a minimal HTTP/1.1 reader (status line and Content-Length), cheap
enough not to take the server's core. ``--generator wrk`` gives the
closed-loop figure instead (as many requests as the server answers).

    .venv/bin/python benchmarks/consent_load.py --rate 500 --seconds 20
    .venv/bin/python benchmarks/consent_load.py --generator wrk --connections 16
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from pledge.startup import upgrade_schema

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "pledge_bench_consent_load"
MAX_SECONDS = 30.0
PATH = "/api/v1/consents"
SQLITE_PATH = Path(tempfile.gettempdir()) / "pledge_consent_load.db"
SERVER_LOG = Path(tempfile.gettempdir()) / "pledge_consent_load_server.log"
POOL = 64
"""Open loop: keep-alive connections; a due request goes out on any idle one."""
TIMEOUT = 10.0
DRAIN = 5.0
"""Open loop: seconds after the last due time before unanswered requests are abandoned."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(database: str) -> str:
    """A fresh database for this run (PostgreSQL by default, else a new SQLite file)."""
    if database != "postgresql":
        SQLITE_PATH.unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME


def start_server(
    database: str, workers: int = 1, extra_env: dict[str, str] | None = None
) -> tuple[str, str, subprocess.Popen[bytes]]:
    """``pledge serve`` in its own process (the load generator must not share its GIL)."""
    from pledge.access import create_api_key
    from pledge.core import Pledge
    from pledge.settings import Settings

    key = base64.b64encode(secrets.token_bytes(32)).decode()
    url = _database_url(database)
    pledge = Pledge(Settings(database_url=url, master_key=key))
    upgrade_schema(pledge)
    api_key = create_api_key(pledge, name="load", role="system")[1]
    pledge.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "PLEDGE_DATABASE_URL": url,
        "PLEDGE_MASTER_KEY": key,
        **(extra_env or {}),
    }
    command = [str(Path(sys.executable).with_name("pledge")), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-worker", "--workers", str(workers)]
    log = SERVER_LOG.open("wb")  # the server's output, shown if it fails to start
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base, api_key, process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    log.seek(0)
    raise RuntimeError(
        "pledge serve did not start:\n" + log.read()[-3000:].decode(errors="replace")
    )


PEOPLE = 20_000
"""Distinct e-mails: by default every request of a run is a new person (the heaviest case)."""


def body(n: int, people: int = PEOPLE) -> dict[str, object]:
    """The n-th body: ``people`` people, four countries, three channels, 1 in 5 withdrawn."""
    country = ("FR", "US", "GB", "DE")[n % 4]
    return {
        "subject": {"email": f"load{n % people}@bench.example", "country": country},
        "purpose": "marketing",
        "channel": ("email", "post", "phone")[n % 3],
        "granted": n % 5 != 0,
        "method": "web_form",
        "evidence": {"ip": "198.51.100.23", "user_agent": "bench/1.0"},
    }


def request_bytes(host: str, api_key: str, n: int, people: int = PEOPLE) -> bytes:
    """The whole HTTP/1.1 request for body ``n``, built before the clock starts."""
    payload = json.dumps(body(n, people), separators=(",", ":")).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {api_key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


@dataclass
class Tally:
    """Latencies (from each request's due time) and failures of the measured requests."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    last_done: float = 0.0

    def record(self, status: int, latency: float, done: float) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.errors += status != 201
        if done != math.inf:
            self.last_done = max(self.last_done, done)


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects after a failure."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> int:
        """Send one request, read one response; returns its status."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.get_extra_info("socket").setsockopt(
                socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
            )
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _open_loop(
    host: str, port: int, requests: list[bytes], rate: float, measured_from: int
) -> tuple[Tally, float, float]:
    """Send ``requests`` at ``rate``; returns the tally, the start and the last due time."""
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(POOL):
        idle.put_nowait(Connection(host, port))
    tally = Tally()
    loop = asyncio.get_running_loop()
    clock = time.perf_counter  # uvloop's own clock only has millisecond steps
    start = clock() + 0.2
    tasks: set[asyncio.Task[None]] = set()

    async def one(n: int, due: float) -> None:
        status, done = 0, math.inf
        try:
            conn = await idle.get()
            try:
                status = await asyncio.wait_for(conn.exchange(requests[n]), TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
            idle.put_nowait(conn)
            done = clock()
        finally:  # a request still unanswered at the drain deadline counts as an error
            if n >= measured_from:
                tally.record(status, done - due, done)

    n = 0
    while n < len(requests):
        now = clock()
        while n < len(requests) and start + n / rate <= now:
            task = loop.create_task(one(n, start + n / rate))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        if n < len(requests):
            await asyncio.sleep(max(0.0, start + n / rate - clock()))
    if tasks:
        _, unanswered = await asyncio.wait(tasks, timeout=DRAIN)
        for task in unanswered:
            task.cancel()
        await asyncio.gather(*unanswered, return_exceptions=True)
    return tally, start + measured_from / rate, start + (len(requests) - 1) / rate


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def run_open_loop(
    base: str, api_key: str, rate: int, seconds: float, warmup: float, people: int = PEOPLE
) -> None:
    """Constant-rate load; latency from each request's due time; warm-up not counted."""
    host_port = base.removeprefix("http://")
    host, port = host_port.rsplit(":", 1)
    warm = int(rate * warmup)
    total = warm + int(rate * seconds)
    requests = [request_bytes(host_port, api_key, n, people) for n in range(total)]
    cpu0 = time.process_time()
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    tally, first_due, last_due = runner(_open_loop(host, int(port), requests, rate, warm))
    cpu = time.process_time() - cpu0
    ordered = sorted(tally.latencies)
    sent, answered = len(ordered), len(ordered) - tally.statuses.get(0, 0)
    span = max(tally.last_done, last_due) - first_due
    p = {q: _percentile(ordered, q) * 1000 for q in (50, 90, 99, 99.9)}
    print(
        f"open loop: target {rate} rps for {seconds:.0f} s (+{warmup:.0f} s warm-up), "
        f"pool {POOL} connections\n"
        f"  {sent} requests measured, {answered} answered in {span:.2f} s = "
        f"{answered / span:.0f} rps achieved; "
        f"errors {tally.errors} (statuses {dict(sorted(tally.statuses.items()))}, 0 = none)\n"
        f"  latency from due time: p50 {p[50]:.1f} ms, p90 {p[90]:.1f} ms, "
        f"p99 {p[99]:.1f} ms, p99.9 {p[99.9]:.1f} ms, max {ordered[-1] * 1000:.1f} ms\n"
        f"  generator CPU {cpu:.1f} s ({cpu / (span + warmup) * 100:.0f}% of one core)"
    )


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
local n = 0
local countries = {"FR", "US", "GB", "DE"}
local channels = {"email", "post", "phone"}
request = function()
  n = n + 1
  local body = string.format(
    '{"subject":{"email":"load%%d@bench.example","country":"%%s"},"purpose":"marketing",'
    .. '"channel":"%%s","granted":%%s,"method":"web_form",'
    .. '"evidence":{"ip":"198.51.100.23","user_agent":"bench/1.0"}}',
    n %% 20000, countries[n %% 4 + 1], channels[n %% 3 + 1], tostring(n %% 5 ~= 0))
  return wrk.format(nil, "/api/v1/consents", nil, body)
end
"""


def run_wrk(base: str, api_key: str, seconds: float, connections: int) -> None:
    """``wrk`` (closed loop): as many requests as the server takes, latency percentiles."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % api_key)
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
        command += ["-s", script.name, base]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    print(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=500, help="open loop: requests per second")
    parser.add_argument("--seconds", type=float, default=20, help="measured load (at most 30)")
    parser.add_argument("--warmup", type=float, default=2, help="open loop: seconds not counted")
    parser.add_argument(
        "--people",
        type=int,
        default=PEOPLE,
        help="open loop: distinct e-mails (fewer: people seen in the warm-up come back)",
    )
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=1, help="pledge serve --workers")
    parser.add_argument("--generator", choices=["open", "wrk"], default="open")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)"
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    seconds = min(args.seconds, MAX_SECONDS)
    base, api_key, process = start_server(args.db, args.workers, extra_env)
    try:
        if args.generator == "wrk":
            run_wrk(base, api_key, seconds, args.connections)
        else:
            warmup = min(args.warmup, MAX_SECONDS - seconds)
            run_open_loop(base, api_key, min(args.rate, 5000), seconds, warmup, args.people)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
