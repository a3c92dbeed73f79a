"""The SMTP transport: one message per connection, failures sorted into "try again" and "give up".

Why the split matters: an SMTP server that is down, slow or greylisting must
only delay mail, so every connection problem and every 4xx reply is
temporary. A 5xx refusal of the recipient or of the message means this
message can never be delivered: it goes dead at once. A 5xx to the log-in or
the sender is about Pledge's own set-up, which the operator can fix, so it
stops the pass and is retried like an unreachable server. Error messages name
reply codes and exception classes, never the server's reply text, which
usually quotes the recipient's address.

Why a total deadline (``PLEDGE_SMTP_DEADLINE_SECONDS``) besides the socket timeout: the
timeout bounds each read, not the conversation, so a server that drips its replies a byte
a second never trips it and would hold the delivery for its whole lease. A timer shuts the
connection's socket down when the deadline passes, whatever smtplib is waiting on (a reply
line, a TLS handshake); the attempt is then a temporary failure, retried later.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from pledge.delivery.outcome import Outcome, error_name
from pledge.errors import ConfigurationError

TIMEOUT_SECONDS = 10.0
"""Each socket operation (connect, one read, one write)."""
DEADLINE_SECONDS = 60.0
"""The whole conversation, connection to QUIT, unless the caller gives another."""
DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


@dataclass(frozen=True)
class MailContent:
    """A decrypted message: what must never reach a log line."""

    to: str
    subject: str
    body: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "html": self.html,
            "headers": dict(self.headers),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MailContent:
        return cls(
            to=str(data["to"]),
            subject=str(data["subject"]),
            body=str(data["body"]),
            html=None if data.get("html") is None else str(data["html"]),
            headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        )


class DeliveryError(Exception):
    """A message was not delivered; the message text holds no personal data."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        """The reply code or exception class, for ``last_error`` and the domain rows."""


class TemporaryDeliveryError(DeliveryError):
    """Try again later: the server is unreachable, timed out, replied 4xx, or refused our
    own set-up (log-in, sender) with 5xx, which the operator can fix."""

    def __init__(
        self, message: str, *, code: str | None = None, server_unreachable: bool = False
    ) -> None:
        super().__init__(message, code=code)
        self.server_unreachable = server_unreachable


class PermanentDeliveryError(DeliveryError):
    """The server refused this message (its recipient or its content) with 5xx."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to connect, parsed from ``PLEDGE_SMTP_URL``."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """Parse ``smtp://``, ``smtps://`` or ``smtp+starttls://[user:pass@]host[:port]``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ConfigurationError(
            "PLEDGE_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://"
        )
    if not parts.hostname:
        raise ConfigurationError("PLEDGE_SMTP_URL has no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise ConfigurationError("PLEDGE_SMTP_URL has an invalid port") from None
    return SmtpTarget(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def build_message(sender: str, mail: MailContent) -> EmailMessage:
    """A plain-text message, with an HTML alternative when one was queued."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    # After the content: setting it clears every Content-* header (Content-Language too).
    for name, value in mail.headers.items():
        del message[name]
        message[name] = value
    return message


def send_via_smtp(
    url: str, sender: str, mail: MailContent, *, deadline_seconds: float = DEADLINE_SECONDS
) -> None:
    """Send ``mail`` within ``deadline_seconds``; raises Temporary- or PermanentDeliveryError
    on failure (a conversation cut off at its deadline is temporary)."""
    target = parse_smtp_url(url)
    try:
        message = build_message(sender, mail)
    except (ValueError, TypeError) as exc:
        raise PermanentDeliveryError(
            f"message cannot be built: {type(exc).__name__}", code=type(exc).__name__
        ) from None
    deadline = _Deadline(deadline_seconds)
    try:
        _converse(target, message, deadline)
    except Exception as exc:
        if deadline.passed():
            raise TemporaryDeliveryError(
                f"the SMTP conversation passed its deadline of {deadline_seconds:g} s",
                code="deadline",
                server_unreachable=True,
            ) from None
        raise _classified(exc) from None


def _converse(target: SmtpTarget, message: EmailMessage, deadline: _Deadline) -> None:
    """Connect, (STARTTLS), (log in), send and QUIT, all before ``deadline``."""
    smtps = ssl.create_default_context() if target.scheme == "smtps" else None
    client = _DeadlineSMTP(target.host, deadline, smtps)
    try:
        with deadline:
            code, reply = client.connect(target.host, target.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, reply)
            if target.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(message)
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()  # the message was accepted; a bad goodbye changes nothing
    finally:
        client.close()


def _classified(exc: Exception) -> DeliveryError:
    """An smtplib or socket failure as a temporary or permanent delivery error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _recipient_refusal(exc)
    if isinstance(exc, smtplib.SMTPConnectError):
        return TemporaryDeliveryError(
            f"SMTP server refused the connection: {exc.smtp_code}",
            code=str(exc.smtp_code),
            server_unreachable=True,
        )
    if isinstance(exc, smtplib.SMTPDataError):
        return _reply_error(exc, permanent=exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPResponseException):
        # 5xx to the log-in or the sender is our set-up, not this message: stop and retry.
        return _reply_error(exc, permanent=False, stop=exc.smtp_code >= 500)
    if isinstance(exc, OSError):  # smtplib's other errors (disconnected, ...) are OSErrors
        return TemporaryDeliveryError(
            f"cannot reach the SMTP server: {type(exc).__name__}",
            code=type(exc).__name__,
            server_unreachable=True,
        )
    raise exc


class _Deadline:
    """Shuts a connection's socket down when its conversation's time is up.

    A timer thread calls ``shutdown`` on the socket's file descriptor: a read or write that
    smtplib (or the TLS layer) is blocked in returns at once, end of file or an error, and the
    conversation fails. The descriptor, not the socket object, is kept because wrapping a
    socket in TLS (SMTPS, STARTTLS) moves the descriptor to a new object. The lock and
    ``_done`` keep the timer away from a descriptor closed, and perhaps reused, after the
    conversation.
    """

    def __init__(self, seconds: float) -> None:
        self.ends_at = time.monotonic() + seconds
        self.expired = False
        self._fd: int | None = None
        self._done = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def passed(self) -> bool:
        """Whether the conversation ended by its deadline: cut off by the timer, or by a
        socket timeout capped at the time left (a TLS handshake's, which counts in whole)."""
        return self.expired or time.monotonic() >= self.ends_at - 0.05

    def left(self) -> float:
        return max(self.ends_at - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._fd = sock.fileno()
            expired = self.expired
        if expired:
            self._shut(sock.fileno())

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            if self._fd is not None:
                self._shut(self._fd)

    @staticmethod
    def _shut(fd: int) -> None:
        try:
            view = socket.socket(fileno=fd)
        except OSError:
            return
        try:
            view.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        finally:
            view.detach()  # the descriptor stays smtplib's to close


class _DeadlineSMTP(smtplib.SMTP):
    """smtplib's client whose socket is watched by a `_Deadline`, for SMTPS too (the TLS
    handshake happens after the socket is watched, so a dripping handshake is cut off)."""

    def __init__(self, host: str, deadline: _Deadline, smtps: ssl.SSLContext | None) -> None:
        super().__init__(timeout=TIMEOUT_SECONDS)  # no host: connecting is ``connect``'s
        self._host = host  # what STARTTLS checks the certificate against, as SMTP(host) sets
        self._deadline = deadline
        self._smtps = smtps

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        """smtplib's own connection (`SMTP._get_socket`), watched before anything is read."""
        wait = min(timeout, self._deadline.left())
        sock = socket.create_connection((host, port), wait, self.source_address)
        self._deadline.watch(sock)
        if self._smtps is None:
            return sock
        return self._smtps.wrap_socket(sock, server_hostname=host)


def _reply_error(
    exc: smtplib.SMTPResponseException, *, permanent: bool, stop: bool = False
) -> DeliveryError:
    """The reply code and exception class; the reply text may quote the address."""
    message = f"{type(exc).__name__}: server replied {exc.smtp_code}"
    if permanent:
        return PermanentDeliveryError(message, code=str(exc.smtp_code))
    return TemporaryDeliveryError(message, code=str(exc.smtp_code), server_unreachable=stop)


def _recipient_refusal(exc: smtplib.SMTPRecipientsRefused) -> DeliveryError:
    """5xx for every recipient is final; any 4xx (greylisting, full mailbox) is not."""
    codes = sorted({code for code, _reply in exc.recipients.values()})
    if codes and all(code >= 500 for code in codes):
        return PermanentDeliveryError(
            f"recipient refused: server replied {codes[0]}", code=str(codes[0])
        )
    return TemporaryDeliveryError(
        f"recipient deferred: server replied {codes}", code=",".join(map(str, codes))
    )


class SmtpTransport:
    """Sends each message over its own connection to ``PLEDGE_SMTP_URL``."""

    def __init__(self, url: str, sender: str, deadline_seconds: float = DEADLINE_SECONDS) -> None:
        self.url = url
        self.sender = sender
        self.deadline_seconds = deadline_seconds

    def send(self, content: MailContent) -> Outcome:
        try:
            send_via_smtp(self.url, self.sender, content, deadline_seconds=self.deadline_seconds)
        except PermanentDeliveryError as exc:
            return Outcome.dead(str(exc), code=exc.code)
        except TemporaryDeliveryError as exc:
            return Outcome.retry(str(exc), code=exc.code, unreachable=exc.server_unreachable)
        except Exception as exc:  # a bug or an odd server: its class only, never its message
            return Outcome.retry(
                f"unexpected error: {error_name(exc)}", code=error_name(exc), unreachable=True
            )
        return Outcome.sent("250")
