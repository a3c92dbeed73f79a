"""An SMTP server that drips its replies cannot hold a mail past its total deadline.

Issue #11 leftover: the SMTP transport had a 10 s timeout per socket operation and no total
deadline, so a server sending a valid reply one byte a second (never 10 s of silence) held
the delivery for the whole 300 s lease. The drip here is a real loopback socket server.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pledge.core import Pledge
from pledge.delivery import DeliveryReport
from pledge.delivery.smtp import MailContent, TemporaryDeliveryError, send_via_smtp
from pledge.jobs import deliver_outbox
from pledge.settings import Settings
from tests.delivery.conftest import delivery, make_due, queue
from tests.integration.smtp_server import SmtpServer, _Handler

DEADLINE = 3.0
SLACK = 2.0
"""Seconds past the deadline an attempt may take to be recorded."""

# A greeting that never ends: valid continuation lines ("220-"), one byte a second.
ENDLESS_GREETING = b"220-drip.example ESMTP\r\n" * 1000 + b"220 ready\r\n"
GREETING = b"220 drip.example ESMTP\r\n"
OK = b"250 ok\r\n"
EHLO_REPLY = b"250-drip.example\r\n250 8BITMIME\r\n"
EHLO_STARTTLS = b"250-drip.example\r\n250 STARTTLS\r\n"
ENDLESS_OK = b"250-ok\r\n" * 1000 + b"250 ok\r\n"


# The head of a TLS handshake record announcing 16 KiB, whose body then never quite comes.
TLS_RECORD = b"\x16\x03\x03\x40\x00" + b"\x02" * 16384


class DripServer:
    """Speaks just enough SMTP, dripping one reply a byte every ``interval`` seconds.

    ``drip``: ``greeting``, ``mail`` (the reply to MAIL FROM), ``smtps`` (the TLS handshake
    of an SMTPS connection) or ``starttls`` (the handshake after STARTTLS).
    """

    def __init__(self, drip: str, interval: float = 1.0) -> None:
        self.drip = drip
        self.interval = interval
        self.stop = threading.Event()
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        scheme = {"smtps": "smtps", "starttls": "smtp+starttls"}.get(self.drip, "smtp")
        return f"{scheme}://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _script(self) -> list[tuple[bytes, bool]]:
        """The replies in order, each with whether it is dripped."""
        if self.drip == "smtps":
            return [(TLS_RECORD, True)]
        greeting = (ENDLESS_GREETING, True) if self.drip == "greeting" else (GREETING, False)
        if self.drip == "starttls":
            return [
                greeting,
                (EHLO_STARTTLS, False),
                (b"220 go ahead\r\n", False),
                (TLS_RECORD, True),
            ]
        return [
            greeting,
            (EHLO_REPLY, False),
            (ENDLESS_OK, True) if self.drip == "mail" else (OK, False),
        ]

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                for number, (reply, drip) in enumerate(self._script()):
                    if number > 0 or self.drip == "smtps":
                        conn.recv(4096)  # the client's command, or its TLS hello
                    self._send(conn, reply, drip=drip)
                while not self.stop.is_set() and conn.recv(4096):
                    conn.sendall(OK)
            except OSError:
                pass  # the client hung up: that is the point

    def _send(self, conn: socket.socket, reply: bytes, *, drip: bool) -> None:
        if not drip:
            conn.sendall(reply)
            return
        for index in range(len(reply)):
            if self.stop.is_set():
                return
            conn.sendall(reply[index : index + 1])
            time.sleep(self.interval)


@contextmanager
def drip_server(drip: str) -> Iterator[DripServer]:
    server = DripServer(drip)
    server._thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server._thread.join(5)
        server._listener.close()


MAIL = MailContent(to="someone@example.org", subject="Hi", body="Body")


@pytest.mark.parametrize("where", ["greeting", "mail", "smtps", "starttls"])
def test_a_dripped_reply_is_cut_off_at_the_deadline(where: str) -> None:
    """In the greeting, in the reply to MAIL FROM, in the TLS handshake of SMTPS and in
    the one after STARTTLS (the socket was wrapped: the deadline still reaches it)."""
    with drip_server(where) as server:
        started = time.monotonic()
        with pytest.raises(TemporaryDeliveryError) as caught:
            send_via_smtp(server.url, "privacy@pledge.example", MAIL, deadline_seconds=DEADLINE)
        elapsed = time.monotonic() - started
    assert DEADLINE - 0.5 <= elapsed < DEADLINE + SLACK, f"{where}: {elapsed:.1f} s"
    assert caught.value.code == "deadline"
    assert str(caught.value) == "the SMTP conversation passed its deadline of 3 s"
    assert caught.value.server_unreachable


def test_a_dripping_server_delays_a_mail_and_a_later_attempt_sends_it(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    """The attempt is recorded as a retry within the deadline, and nothing is lost: once
    the server answers properly the mail goes out, once."""
    good_url = mailer.settings.smtp_url
    mailer.settings.smtp_deadline_seconds = DEADLINE
    message_id = queue(mailer)
    with drip_server("greeting") as server:
        mailer.settings.smtp_url = server.url
        started = time.monotonic()
        report = deliver_outbox(mailer)
        elapsed = time.monotonic() - started
        assert server.connections == 1
    assert report == DeliveryReport(retried=1)
    assert elapsed < DEADLINE + SLACK, f"the pass took {elapsed:.1f} s"
    row = delivery(mailer, message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "the SMTP conversation passed its deadline of 3 s"
    assert row.lease_until is None

    mailer.settings.smtp_url = good_url
    make_due(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(sent=1)
    assert [m.rcpt_tos for m in smtp.wait_for(1)] == [["ottoline.fairweather@example.org"]]
    assert delivery(mailer, message_id).status == "sent"


def test_a_prompt_server_is_unaffected_by_the_deadline(mailer: Pledge, smtp: SmtpServer) -> None:
    mailer.settings.smtp_deadline_seconds = DEADLINE
    for _ in range(3):
        queue(mailer)
    started = time.monotonic()
    assert deliver_outbox(mailer) == DeliveryReport(sent=3)
    assert time.monotonic() - started < DEADLINE
    assert len(smtp.wait_for(3)) == 3


def test_the_lease_must_outlast_the_smtp_deadline() -> None:
    with pytest.raises(ValueError, match="PLEDGE_SMTP_DEADLINE_SECONDS"):
        Settings(delivery_lease_seconds=60, smtp_deadline_seconds=60)


def test_a_short_lease_set_before_the_deadline_existed_still_starts() -> None:
    short = Settings(delivery_lease_seconds=20, webhook_deadline_seconds=5)
    assert short.smtp_deadline_seconds == 10
    assert Settings().smtp_deadline_seconds == 60
    assert Settings(delivery_lease_seconds=50, smtp_deadline_seconds=40).smtp_deadline_seconds == 40


# TLS: the transport connects first and wraps the socket itself, so both TLS forms are sent
# through a real TLS server too (a certificate this test makes, trusted via SSL_CERT_FILE).


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pledge test mail server")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TlsSmtpServer(SmtpServer):
    """The test SMTP server behind implicit TLS (SMTPS) or requiring STARTTLS."""

    def __init__(self, context: ssl.SSLContext, implicit: bool) -> None:
        super().__init__()
        self.context = context
        self.implicit = implicit

    @property
    def url(self) -> str:
        scheme = "smtps" if self.implicit else "smtp+starttls"
        return f"{scheme}://{self.host}:{self.port}"

    def start(self) -> None:
        handler = _Handler(self)
        if self.implicit:
            controller = Controller(
                handler, hostname=self.host, port=self.port, ssl_context=self.context
            )
        else:
            controller = Controller(
                handler,
                hostname=self.host,
                port=self.port,
                tls_context=self.context,
                require_starttls=True,
            )
        controller.start()
        self._controller = controller


@pytest.mark.parametrize("implicit", [True, False], ids=["smtps", "starttls"])
def test_mail_is_sent_over_tls_within_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, implicit: bool
) -> None:
    cert, key = _certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = TlsSmtpServer(context, implicit)
    server.start()
    try:
        send_via_smtp(server.url, "privacy@pledge.example", MAIL, deadline_seconds=DEADLINE)
        assert [m.rcpt_tos for m in server.wait_for(1)] == [["someone@example.org"]]
    finally:
        server.stop()
