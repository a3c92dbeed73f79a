"""The SMTP transport: one message per connection, failures sorted into "try again" and "give up".

Why the split matters: an SMTP server that is down, slow or greylisting must
only delay mail, so every connection problem and every 4xx reply is
temporary. A 5xx refusal of the recipient or of the message means this
message can never be delivered: it goes dead at once. A 5xx to the log-in or
the sender is about Pledge's own set-up, which the operator can fix, so it
stops the pass and is retried like an unreachable server. Error messages name
reply codes and exception classes, never the server's reply text, which
usually quotes the recipient's address.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from pledge.delivery.outcome import Outcome, error_name
from pledge.errors import ConfigurationError

TIMEOUT_SECONDS = 10.0
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


def send_via_smtp(url: str, sender: str, mail: MailContent) -> None:
    """Send ``mail``; raises Temporary- or PermanentDeliveryError on failure."""
    target = parse_smtp_url(url)
    try:
        message = build_message(sender, mail)
    except (ValueError, TypeError) as exc:
        raise PermanentDeliveryError(
            f"message cannot be built: {type(exc).__name__}", code=type(exc).__name__
        ) from None
    try:
        with _connect(target) as client:
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _recipient_refusal(exc) from None
    except smtplib.SMTPConnectError as exc:
        raise TemporaryDeliveryError(
            f"SMTP server refused the connection: {exc.smtp_code}",
            code=str(exc.smtp_code),
            server_unreachable=True,
        ) from None
    except smtplib.SMTPDataError as exc:
        raise _reply_error(exc, permanent=exc.smtp_code >= 500) from None
    except smtplib.SMTPResponseException as exc:
        # 5xx to the log-in or the sender is our set-up, not this message: stop and retry.
        raise _reply_error(exc, permanent=False, stop=exc.smtp_code >= 500) from None
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise TemporaryDeliveryError(
            f"cannot reach the SMTP server: {type(exc).__name__}",
            code=type(exc).__name__,
            server_unreachable=True,
        ) from None
    except smtplib.SMTPException as exc:
        raise TemporaryDeliveryError(
            f"SMTP error: {type(exc).__name__}", code=type(exc).__name__
        ) from None


def _reply_error(
    exc: smtplib.SMTPResponseException, *, permanent: bool, stop: bool = False
) -> DeliveryError:
    """The reply code and exception class; the reply text may quote the address."""
    message = f"{type(exc).__name__}: server replied {exc.smtp_code}"
    if permanent:
        return PermanentDeliveryError(message, code=str(exc.smtp_code))
    return TemporaryDeliveryError(message, code=str(exc.smtp_code), server_unreachable=stop)


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    if target.scheme == "smtps":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(target.host, target.port, timeout=TIMEOUT_SECONDS, context=context)
    client = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT_SECONDS)
    if target.scheme == "smtp+starttls":
        try:
            client.starttls(context=ssl.create_default_context())
        except BaseException:
            client.close()
            raise
    return client


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

    def __init__(self, url: str, sender: str) -> None:
        self.url = url
        self.sender = sender

    def send(self, content: MailContent) -> Outcome:
        try:
            send_via_smtp(self.url, self.sender, content)
        except PermanentDeliveryError as exc:
            return Outcome.dead(str(exc), code=exc.code)
        except TemporaryDeliveryError as exc:
            return Outcome.retry(str(exc), code=exc.code, unreachable=exc.server_unreachable)
        except Exception as exc:  # a bug or an odd server: its class only, never its message
            return Outcome.retry(
                f"unexpected error: {error_name(exc)}", code=error_name(exc), unreachable=True
            )
        return Outcome.sent("250")
