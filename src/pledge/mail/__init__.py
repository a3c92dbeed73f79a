"""Outgoing mail: queued in the outbox with the change that caused it, sent by a job."""

from pledge.mail.outbox import MailContent, queue_mail, read_mail
from pledge.mail.smtp import (
    DeliveryError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
    send_via_smtp,
)

__all__ = [
    "DeliveryError",
    "MailContent",
    "PermanentDeliveryError",
    "TemporaryDeliveryError",
    "queue_mail",
    "read_mail",
    "send_via_smtp",
]
