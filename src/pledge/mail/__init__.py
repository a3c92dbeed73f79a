"""Outgoing mail: queued in the outbox with the change that caused it, sent by the engine.

The SMTP transport itself lives in :mod:`pledge.delivery.smtp`; its names are
re-exported here for the callers that send or test mail.
"""

from pledge.delivery.smtp import (
    DeliveryError,
    MailContent,
    PermanentDeliveryError,
    TemporaryDeliveryError,
    send_via_smtp,
)
from pledge.mail.forget import forget_mail
from pledge.mail.outbox import marketing_template, queue_mail, read_mail, withdraw_marketing_mail

__all__ = [
    "DeliveryError",
    "MailContent",
    "PermanentDeliveryError",
    "TemporaryDeliveryError",
    "forget_mail",
    "marketing_template",
    "queue_mail",
    "read_mail",
    "send_via_smtp",
    "withdraw_marketing_mail",
]
