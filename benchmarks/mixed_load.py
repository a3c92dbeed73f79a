"""A mixed load on PostgreSQL: 2 ``pledge serve`` and 2 ``pledge worker`` processes, loopback only.

Starts everything it needs on 127.0.0.1 and stops it all at the end:

- a fresh PostgreSQL database (dropped afterwards unless ``--keep-db``);
- an SMTP sink (aiosmtpd) that reads each request's one-time code, and a
  webhook sink for Client webhooks and recipient notices; both count what
  they receive by delivery id (``Message-ID`` / ``X-Pledge-Delivery``), so a
  duplicate shows;
- ``pledge serve --no-worker`` twice, on two ports, and ``pledge worker`` twice;
- a bounded open-loop generator: arrival *n* is due at ``start + n / rate``
  whatever happened before, on one of the two servers in turn, and its latency
  runs from that due time (a stalled server is charged for the requests it
  delayed). At most ``--max-in-flight`` are outstanding; an arrival beyond that
  is counted as an error (``shed``), never queued unboundedly.

The mix (``--mix``): collection (``POST /api/v1/records``, a new person each),
consents (``POST /api/v1/consents``), data subject requests
(``POST /api/v1/requests``: access, or erasure with a matching phone, for
people already recorded; each verified with the code read from the SMTP sink
via ``POST /api/v1/requests/{id}/verify``) and Service Data conversations
(``POST /api/v1/service/conversations`` with a Client's key; the collected
fields go to the Client's webhook).

After the load it waits until every request is completed, every mail is
accepted by the sink and every webhook acknowledged (nothing pending in the
outbox), then prints throughput, p50/p99 per route, errors, and the
end-to-end checks.

    .venv/bin/python benchmarks/mixed_load.py --seconds 60 --rate 40
    .venv/bin/python benchmarks/mixed_load.py            # 5 minutes at 50 arrivals/s
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import email
import email.policy
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from pledge.policy.loader import bundled_policy_path

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PLEDGE = str(Path(sys.executable).with_name("pledge"))
CODE = re.compile(r"verification code is (\d{8})")
TERMINAL = {"completed", "denied", "referred"}
HOOKED = "crm_providers"
"""The bundled policy's processor whose erasure notices go to the webhook sink."""
DEFAULT_MIX = "records=4,consents=3,requests=1,service=2"


# Sinks


class SmtpSink:
    """Accepts every message; keeps the newest code per address and counts Message-IDs."""

    def __init__(self) -> None:
        self.port = free_port()
        self.codes: dict[str, str] = {}
        self.message_ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        text_body = str(part.get_content()) if part is not None else ""  # type: ignore[attr-defined]
        found = CODE.search(text_body)
        with self.lock:
            self.message_ids[str(message["Message-ID"])] += 1
            if found:
                for address in envelope.rcpt_tos:
                    self.codes[address] = found.group(1)
        return "250 OK"

    def code_for(self, address: str) -> str | None:
        with self.lock:
            return self.codes.get(address)

    def received(self) -> tuple[int, int]:
        """Messages received, and how many of them repeated a Message-ID."""
        with self.lock:
            return sum(self.message_ids.values()), sum(
                n - 1 for n in self.message_ids.values() if n > 1
            )


class WebhookSink:
    """Answers 204 to every POST and counts delivery ids per path."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with sink.lock:
                    sink.ids[f"{self.path}:{self.headers.get('x-pledge-delivery', '')}"] += 1
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def received(self, path: str) -> tuple[int, int]:
        with self.lock:
            counts = [n for key, n in self.ids.items() if key.startswith(path + ":")]
        return sum(counts), sum(n - 1 for n in counts if n > 1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Processes


@dataclass
class Stack:
    """Everything the run started, so that all of it is stopped whatever happens."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)

    def spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen([PLEDGE, *args], env=self.env, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def pledge_command(env: dict[str, str], *args: str, stdin: str | None = None) -> list[str]:
    """Run a ``pledge`` command to completion; its stdout lines."""
    done = subprocess.run(
        [PLEDGE, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pledge {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()


def wait_healthy(base: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {base} exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server at {base} did not start")


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"pledge_bench_mixed_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def write_policy(workdir: Path, notices_url: str) -> Path:
    data = yaml.safe_load(bundled_policy_path().read_text(encoding="utf-8"))
    for recipient in data["recipients"]:
        if recipient["id"] == HOOKED:
            recipient["webhook_url"] = notices_url
    path = workdir / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_instructions(workdir: Path, webhook_url: str) -> Path:
    instructions = {
        "collect": [
            {"field": "account_number", "kind": "ACCOUNT_ID"},
            {"field": "callback_phone", "kind": "PHONE"},
        ],
        "retention_days": 90,
        "webhook_url": webhook_url,
        "webhook_secret": secrets.token_hex(16),
    }
    path = workdir / "client.yaml"
    path.write_text(yaml.safe_dump(instructions), encoding="utf-8")
    return path


# Load


@dataclass
class Route:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, latency: float, error: str | None) -> None:
        if error is None:
            self.latencies.append(latency)
        else:
            self.errors[error] += 1


@dataclass
class Person:
    email: str
    phone: str
    asked: bool = False


@dataclass
class Asked:
    id: str
    token: str
    email: str
    base: str
    verified: bool = False
    status: str = "pending_verification"


@dataclass
class Load:
    bases: list[str]
    system_key: str
    client_key: str
    smtp: SmtpSink
    rate: float
    seconds: float
    max_in_flight: int
    mix: list[str]
    routes: dict[str, Route] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    asked: list[Asked] = field(default_factory=list)
    in_flight: int = 0
    arrivals: int = 0
    counter: int = 0
    requests_made: int = 0

    def route(self, name: str) -> Route:
        return self.routes.setdefault(name, Route())

    def next_number(self) -> int:
        self.counter += 1
        return self.counter


def phone_of(n: int) -> str:
    return (
        f"+33 6 {n // 1000000 % 100:02d} {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"
    )


def record_body(n: int) -> dict[str, Any]:
    person = Person(f"load.{n}@example.org", phone_of(n))
    return {
        "subject": {
            "email": person.email,
            "phone": person.phone,
            "name": f"Person {n}",
            "country": ("FR", "DE", "GB", "US")[n % 4],
        },
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "web_form:contact_us",
        "data": {"name": f"Person {n}", "email": person.email},
    }


def consent_body(n: int) -> dict[str, Any]:
    return {
        "subject": {"email": f"consent.{n % 5000}@example.org", "country": ("FR", "US")[n % 2]},
        "purpose": "marketing",
        "channel": "email",
        "granted": n % 5 != 0,
        "method": "web_form",
    }


def conversation_body(n: int) -> dict[str, Any]:
    return {
        "channel": "chat",
        "customer": {"id": f"customer-{n}"},
        "turns": [
            {"speaker": "agent", "text": "Hello, how can I help? What is your account number?"},
            {"speaker": "customer", "text": f"My account number is {4417229000 + n} thanks."},
            {"speaker": "agent", "text": "And a callback number?"},
            {"speaker": "customer", "text": f"Call me at (617) 555-{n % 10000:04d} please."},
        ],
    }


async def one(load: Load, client: httpx.AsyncClient, kind: str, due: float, base: str) -> None:
    n = load.next_number()
    headers = {"Authorization": f"Bearer {load.system_key}"}
    after: Callable[[httpx.Response], None] | None = None
    if kind == "records":
        body = record_body(n)
        path = "/api/v1/records"
        person = Person(body["subject"]["email"], body["subject"]["phone"])

        def after(answer: httpx.Response) -> None:
            load.people.append(person)

    elif kind == "consents":
        path, body = "/api/v1/consents", consent_body(n)
    elif kind == "service":
        path, body = "/api/v1/service/conversations", conversation_body(n)
        headers = {"Authorization": f"Bearer {load.client_key}"}
    else:
        waiting = [p for p in load.people if not p.asked]
        if not waiting:  # nobody recorded yet: collect instead
            await one(load, client, "records", due, base)
            return
        person = random.choice(waiting[-200:])
        person.asked = True
        load.requests_made += 1
        erasure = load.requests_made % 2 == 0
        body = {"type": "erasure" if erasure else "access", "email": person.email, "country": "FR"}
        if erasure:
            body["match"] = {"phone": person.phone}
        path, headers = "/api/v1/requests", {}
        kind = f"requests ({body['type']})"

        def after(answer: httpx.Response) -> None:
            data = answer.json()
            load.asked.append(Asked(data["id"], data["token"], person.email, base))

    await send(load, client, kind, base + path, body, headers, due, after)


async def send(
    load: Load,
    client: httpx.AsyncClient,
    route: str,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    since: float,
    after: Callable[[httpx.Response], None] | None = None,
) -> httpx.Response | None:
    load.in_flight += 1
    try:
        answer = await client.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        load.route(route).add(0, type(exc).__name__)
        return None
    finally:
        load.in_flight -= 1
    if answer.status_code >= 300:
        load.route(route).add(0, str(answer.status_code))
        return answer
    load.route(route).add(time.perf_counter() - since, None)
    if after is not None:
        after(answer)
    return answer


async def verifier(load: Load, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
    """Reads codes from the SMTP sink and confirms each request once (like the person would)."""
    while not stop.is_set():
        for asked in load.asked:
            if asked.verified:
                continue
            code = load.smtp.code_for(asked.email)
            if code is None:
                continue
            asked.verified = True
            headers = {"Authorization": f"Bearer {asked.token}"}
            url = f"{asked.base}/api/v1/requests/{asked.id}/verify"
            answer = await send(
                load, client, "verify", url, {"code": code}, headers, time.perf_counter()
            )
            if answer is None or answer.status_code >= 300:
                asked.verified = False  # tried again on the next round
        await asyncio.sleep(0.2)


async def drive(load: Load) -> float:
    """The open loop; returns the seconds it lasted."""
    limits = httpx.Limits(max_connections=load.max_in_flight, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        stop = asyncio.Event()
        checking = asyncio.create_task(verifier(load, client, stop))
        tasks: set[asyncio.Task[None]] = set()
        start = time.perf_counter()
        n = 0
        while True:
            due = start + n / load.rate
            if due - start >= load.seconds:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            kind = load.mix[n % len(load.mix)]
            base = load.bases[n % len(load.bases)]
            n += 1
            load.arrivals += 1
            if load.in_flight >= load.max_in_flight:
                load.route(kind).add(0, "shed")
                continue
            task = asyncio.create_task(one(load, client, kind, due, base))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=60)
        lasted = time.perf_counter() - start
        await settle_requests(load, client, stop)
        checking.cancel()
    return lasted


async def settle_requests(
    load: Load, client: httpx.AsyncClient, stop: asyncio.Event, seconds: float = 600
) -> None:
    """Until every request reached a final status (verifying late codes meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        open_requests = [a for a in load.asked if a.status not in TERMINAL]
        if not open_requests:
            break
        for asked in open_requests:
            if not asked.verified:
                continue
            headers = {"Authorization": f"Bearer {asked.token}"}
            try:
                answer = await client.get(
                    f"{asked.base}/api/v1/requests/{asked.id}", headers=headers
                )
            except httpx.HTTPError:
                continue
            if answer.status_code == 200:
                asked.status = answer.json()["status"]
        await asyncio.sleep(1)
    stop.set()


def outbox_counts(url: str) -> dict[tuple[str, str], int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, status, count(*) FROM outbox GROUP BY kind, status")
        ).all()
    engine.dispose()
    return {(kind, status): int(count) for kind, status, count in rows}


def wait_outbox_drained(url: str, seconds: float = 600) -> tuple[dict[tuple[str, str], int], float]:
    started = time.monotonic()
    while True:
        counts = outbox_counts(url)
        if not any(status == "pending" for _kind, status in counts) or (
            time.monotonic() - started > seconds
        ):
            return counts, time.monotonic() - started
        time.sleep(1)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(load: Load, lasted: float) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for name, route in sorted(load.routes.items()):
        rows[name] = {
            "ok": len(route.latencies),
            "errors": dict(route.errors),
            "p50_ms": round(percentile(route.latencies, 0.50) * 1000, 1),
            "p99_ms": round(percentile(route.latencies, 0.99) * 1000, 1),
            "max_ms": round(max(route.latencies, default=float("nan")) * 1000, 1),
        }
    ok = sum(len(r.latencies) for r in load.routes.values())
    errors = sum(sum(r.errors.values()) for r in load.routes.values())
    everything = [x for r in load.routes.values() for x in r.latencies]
    return {
        "seconds": round(lasted, 1),
        "arrivals": load.arrivals,
        "ok": ok,
        "errors": errors,
        "throughput_per_s": round(ok / lasted, 1),
        "p50_ms": round(percentile(everything, 0.50) * 1000, 1),
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1),
        "routes": rows,
    }


def parse_mix(spec: str) -> list[str]:
    weights = {k.strip(): int(v) for k, v in (part.split("=") for part in spec.split(","))}
    unknown = set(weights) - {"records", "consents", "requests", "service"}
    if unknown:
        raise SystemExit(f"unknown kinds in --mix: {sorted(unknown)}")
    cycle = [kind for kind, weight in weights.items() for _ in range(weight)]
    random.Random(7).shuffle(cycle)
    return cycle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--rate", type=float, default=50, help="arrivals per second, all kinds")
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--mix", default=DEFAULT_MIX)
    parser.add_argument("--admin-url", default=PG_ADMIN)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not 0 < args.seconds <= 900:
        raise SystemExit("--seconds must be between 0 and 900 (the run is bounded)")
    random.seed(11)

    workdir = Path(tempfile.mkdtemp(prefix="pledge-mixed-load-"))
    smtp, hooks = SmtpSink(), WebhookSink()
    smtp.controller.start()
    hooks.thread.start()
    name, url = create_database(args.admin_url)
    stack = Stack(workdir)
    try:
        stack.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PLEDGE_")},
            "PLEDGE_DATABASE_URL": url,
            "PLEDGE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "PLEDGE_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
            "PLEDGE_POLICY": str(write_policy(workdir, f"{hooks.base}/notices")),
            # One generator on 127.0.0.1 stands for many people: the per-IP intake
            # limit (10 an hour) would answer 429 to nearly every request otherwise.
            "PLEDGE_INTAKE_LIMIT_PER_IP": "1000000",
        }
        pledge_command(stack.env, "init")
        system_key = pledge_command(
            stack.env, "keys", "create", "--name", "load", "--role", "system"
        )[-1]
        instructions = write_instructions(workdir, f"{hooks.base}/client")
        client_key = pledge_command(
            stack.env,
            "clients",
            "create",
            "--name",
            "Load Client",
            "--instructions",
            str(instructions),
        )[-1]
        for number in range(2):
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = stack.spawn(
                f"serve-{number}",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-worker",
            )
            wait_healthy(base, server)
            stack.bases.append(base)
        for number in range(2):
            stack.spawn(f"worker-{number}", "worker")
        print(f"2 servers ({', '.join(stack.bases)}), 2 workers; logs in {workdir}", flush=True)

        load = Load(
            bases=stack.bases,
            system_key=system_key,
            client_key=client_key,
            smtp=smtp,
            rate=args.rate,
            seconds=args.seconds,
            max_in_flight=args.max_in_flight,
            mix=parse_mix(args.mix),
        )
        lasted = asyncio.run(drive(load))
        figures = report(load, lasted)
        counts, drained_in = wait_outbox_drained(url)
        mails, mail_repeats = smtp.received()
        client_hooks, client_repeats = hooks.received("/client")
        notices, notice_repeats = hooks.received("/notices")
        statuses = Counter(a.status for a in load.asked)
        figures["end_to_end"] = {
            "requests": len(load.asked),
            "request_statuses": dict(statuses),
            "all_requests_completed": all(a.status == "completed" for a in load.asked),
            "outbox": {f"{kind}/{status}": n for (kind, status), n in sorted(counts.items())},
            "outbox_drained_after_load_s": round(drained_in, 1),
            "mails_received": mails,
            "mail_repeats": mail_repeats,
            "client_webhooks_received": client_hooks,
            "client_webhook_repeats": client_repeats,
            "notices_received": notices,
            "notice_repeats": notice_repeats,
            "processes_alive": all(p.poll() is None for p in stack.processes),
        }
        print(json.dumps(figures, indent=2))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        return 0
    finally:
        stack.stop()
        smtp.controller.stop()
        hooks.server.shutdown()
        hooks.server.server_close()
        if not args.keep_db:
            drop_database(args.admin_url, name)


if __name__ == "__main__":
    raise SystemExit(main())
