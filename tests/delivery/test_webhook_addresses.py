"""A Client's webhook reaches public addresses over https only, pinned at connect time.

Issue #11, item 12: ``webhook_url`` accepted loopback, link-local, private and
numeric-encoded hosts and plain http, and the Client read back the status codes.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import Client
from pledge.delivery import AddressRefused, WebhookGuard
from pledge.delivery.addresses import is_public, literal_address
from pledge.delivery.http import DeadlineTransport, request_within
from pledge.errors import ValidationFailed
from pledge.jobs import deliver
from pledge.service_data.clients import create_client
from tests.delivery.conftest import Hook, delivery, queue_webhook
from tests.service_data.conftest import SECRET, conversation, instructions, make_client
from tests.web.conftest import auth

REFUSED_HOSTS = [
    "127.0.0.1",
    "2130706433",
    "0x7f.1",
    "017700000001",
    "127.1",
    "0.0.0.0",  # noqa: S104
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "224.0.0.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "[fe80::1]",
    "[fd00::1]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
]
HOOK_NAME = "hooks.client.test"


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_non_public_addresses_in_any_spelling_are_refused(host: str) -> None:
    address = literal_address(host)
    assert address is not None, host
    assert not is_public(address)
    assert "private or local" in (WebhookGuard().url_problem(f"https://{host}/hook") or "")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://93.184.216.34/hook", "https"),
        ("https://localhost/hook", "local host name"),
        ("https://printer.local/hook", "local host name"),
        ("https://user:pw@93.184.216.34/hook", "credentials"),
        ("https://93.184.216.34/hook", None),
        ("https://[2606:2800:220:1:248:1893:25c8:1946]/hook", None),
        ("https://client.example/hook", None),
    ],
)
def test_url_rules(url: str, problem: str | None) -> None:
    found = WebhookGuard().url_problem(url)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_the_allow_list_admits_plain_http_to_local_hosts() -> None:
    guard = WebhookGuard.from_list(["127.0.0.1", " localhost "])
    assert guard.url_problem("http://127.0.0.1:9000/pledge") is None
    assert guard.url_problem("http://localhost:9000/pledge") is None
    assert guard.url_problem("http://10.0.0.1/pledge") is not None
    assert guard.pin("127.0.0.1", 80, 1.0) == "127.0.0.1"
    with pytest.raises(AddressRefused):
        WebhookGuard().pin("127.0.0.1", 80, 1.0)
    with pytest.raises(AddressRefused):
        WebhookGuard().pin("localhost", 80, 1.0)  # a name resolving to loopback


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Names of our choosing resolve where the test says; everything else as usual."""
    table: dict[str, Any] = {"answers": {}, "asked": []}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name in table["answers"]:
            table["asked"].append(name)
            address = table["answers"][name]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def _register(pledge: Pledge, url: str) -> str:
    client_id, _key = create_client(
        pledge, name="Acme", instructions=instructions(url), actor="test"
    )
    return client_id


def test_registration_refuses_http_private_and_names_that_resolve_inside(
    pledge: Pledge, fake_dns: dict[str, Any]
) -> None:
    pledge.settings.webhook_allow_hosts = ""  # production: no development hosts
    for url in ("http://93.184.216.34/hook", "https://169.254.169.254/latest", "https://0x7f.1/"):
        with pytest.raises(ValidationFailed) as refused:
            _register(pledge, url)
        assert set(refused.value.fields) == {"instructions.webhook_url"}
    fake_dns["answers"][HOOK_NAME] = "10.0.0.7"
    with pytest.raises(ValidationFailed, match="not allowed"):
        _register(pledge, f"https://{HOOK_NAME}/hook")
    with pledge.sessions() as session:
        assert session.scalars(select(Client)).all() == []


def test_admin_api_names_the_field(client: TestClient, admin_key: str) -> None:
    body = {
        "name": "Initech",
        "instructions": {
            "collect": [{"field": "phone", "kind": "PHONE"}],
            "retention_days": 30,
            "webhook_url": "http://169.254.169.254/latest/meta-data",
            "webhook_secret": SECRET,
        },
    }
    response = client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key))
    assert response.status_code == 422
    assert "instructions.webhook_url" in response.json()["error"]["fields"]
    body["instructions"]["webhook_secret"] = "change-me"  # type: ignore[index]
    body["instructions"]["webhook_url"] = "https://93.184.216.34/hook"  # type: ignore[index]
    response = client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key))
    assert response.status_code == 422
    assert "instructions.webhook_secret" in response.json()["error"]["fields"]


def test_a_name_that_rebinds_to_loopback_is_refused_at_connect_time(
    pledge: Pledge, hook: Hook, fake_dns: dict[str, Any]
) -> None:
    port = hook.base.rsplit(":", 1)[1]
    fake_dns["answers"][HOOK_NAME] = "93.184.216.34"  # public while it is registered
    client_id = _register(pledge, f"https://{HOOK_NAME}:{port}/hook")
    fake_dns["answers"][HOOK_NAME] = "127.0.0.1"  # then points inside
    delivery_id = queue_webhook(pledge, client_id)
    report = deliver(pledge)
    assert report.retried == 1
    row = delivery(pledge, delivery_id)
    assert row.last_error is not None
    assert "address refused" in row.last_error
    assert hook.posts == []


def test_the_connection_goes_to_the_pinned_address_with_the_urls_host(
    pledge: Pledge, hook: Hook, fake_dns: dict[str, Any]
) -> None:
    port = hook.base.rsplit(":", 1)[1]
    fake_dns["answers"][HOOK_NAME] = "127.0.0.1"
    pledge.settings.webhook_allow_hosts = HOOK_NAME
    client_id = _register(pledge, f"http://{HOOK_NAME}:{port}/hook")
    fake_dns["asked"].clear()
    queue_webhook(pledge, client_id)
    assert deliver(pledge).sent == 1
    (post,) = hook.posts
    assert post["headers"]["host"] == f"{HOOK_NAME}:{port}"
    assert fake_dns["asked"] == [HOOK_NAME], "resolved once, by the guard, then pinned"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, ssl.SSLContext]]:
    """An https server whose certificate names only HOOK_NAME, and a context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOOK_NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOOK_NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            served.append(self.headers.get("host", ""))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert_path, key_path)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cafile=str(cert_path))
    try:
        yield server.server_address[1], client_ctx
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert all(host.startswith(HOOK_NAME) for host in served)


def test_tls_checks_the_urls_host_while_connecting_to_the_pinned_address(
    tls_server: tuple[int, ssl.SSLContext], fake_dns: dict[str, Any]
) -> None:
    port, context = tls_server
    fake_dns["answers"][HOOK_NAME] = "127.0.0.1"
    guard = WebhookGuard.from_list([HOOK_NAME])
    transport = DeadlineTransport(time.monotonic() + 10, ssl_context=context, pin=guard.pin)
    with httpx.Client(transport=transport) as http:
        answer = http.post(f"https://{HOOK_NAME}:{port}/hook", content=b"{}")
    assert answer.status_code == 204
    transport = DeadlineTransport(time.monotonic() + 10, ssl_context=context)
    with httpx.Client(transport=transport) as http, pytest.raises(httpx.ConnectError):
        http.post(f"https://127.0.0.1:{port}/hook", content=b"{}")  # not the name on the cert
    with pytest.raises(AddressRefused):
        request_within(
            "POST", f"https://{HOOK_NAME}:{port}/hook", seconds=5, pin=WebhookGuard().pin
        )


def test_the_client_sees_delivered_retrying_or_failed_never_codes(
    pledge: Pledge, client: TestClient, hook: Hook
) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    hook.statuses = [503, 410]
    first = client.post(
        "/api/v1/service/conversations", json=conversation("a-1"), headers=auth(acme.key)
    )
    assert first.status_code == 201
    deliver(pledge)
    listed = client.get("/api/v1/service/deliveries", headers=auth(acme.key)).json()
    (row,) = listed["deliveries"]
    assert row["status"] == "retrying"
    assert "503" not in str(listed)
    assert "last_status" not in row
    client.post("/api/v1/service/conversations", json=conversation("a-2"), headers=auth(acme.key))
    client.post(
        "/api/v1/service/requests",
        json={"type": "restriction", "customer": {"id": "a-1"}},
        headers=auth(acme.key),
    )
    deliver(pledge)  # a-2's delivery is refused with 410: failed
    statuses = [
        d["status"]
        for d in client.get("/api/v1/service/deliveries", headers=auth(acme.key)).json()[
            "deliveries"
        ]
    ]
    assert statuses == ["failed"], "a-1's delivery was withdrawn by the restriction: not listed"


def test_clients_registered_with_a_short_secret_still_deliver(pledge: Pledge, hook: Hook) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    with pledge.transaction() as session:
        row = session.get(Client, acme.id)
        assert row is not None
        row.webhook_secret = pledge.keys.encrypt_system("change-me", f"client-secret:{acme.id}")
    queue_webhook(pledge, acme.id)
    assert deliver(pledge).sent == 1
