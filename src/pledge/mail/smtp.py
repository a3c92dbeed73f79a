"""Deliver one message over SMTP, sorting failures into "try again" and "give up".

Why the split matters: an SMTP server that is down, slow or greylisting must
only delay mail, so every connection problem and every 4xx reply is
temporary. Only a 5xx refusal of the recipient means this message can never
be delivered. Error messages name reply codes and exception classes, never
the server's reply text, which usually quotes the recipient's address.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from pledge.errors import ConfigurationError
from pledge.mail.outbox import MailContent

TIMEOUT_SECONDS = 10.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


class DeliveryError(Exception):
    """A message was not delivered; the message text holds no personal data."""


class TemporaryDeliveryError(DeliveryError):
    """Try again later: the server is unreachable, timed out or replied 4xx."""

    def __init__(self, message: str, *, server_unreachable: bool = False) -> None:
        super().__init__(message)
        self.server_unreachable = server_unreachable


class PermanentDeliveryError(DeliveryError):
    """The server refused the recipient with a 5xx reply; retrying cannot help."""


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
    for name, value in mail.headers.items():
        del message[name]
        message[name] = value
    message.set_content(mail.body)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


def send_via_smtp(url: str, sender: str, mail: MailContent) -> None:
    """Send ``mail``; raises Temporary- or PermanentDeliveryError on failure."""
    target = parse_smtp_url(url)
    try:
        message = build_message(sender, mail)
    except (ValueError, TypeError) as exc:
        raise PermanentDeliveryError(f"message cannot be built: {type(exc).__name__}") from None
    try:
        with _connect(target) as client:
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _recipient_refusal(exc) from None
    except smtplib.SMTPConnectError as exc:
        raise TemporaryDeliveryError(
            f"SMTP server refused the connection: {exc.smtp_code}", server_unreachable=True
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise TemporaryDeliveryError(
            f"{type(exc).__name__}: server replied {exc.smtp_code}"
        ) from None
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise TemporaryDeliveryError(
            f"cannot reach the SMTP server: {type(exc).__name__}", server_unreachable=True
        ) from None
    except smtplib.SMTPException as exc:
        raise TemporaryDeliveryError(f"SMTP error: {type(exc).__name__}") from None


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
        return PermanentDeliveryError(f"recipient refused: server replied {codes[0]}")
    return TemporaryDeliveryError(f"recipient deferred: server replied {codes}")
