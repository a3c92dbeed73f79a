"""The notices to the people a business transfer or a breach affected (no name in them).

In the policy's own language, as the policy-change mail; the same text for
everyone, so one is built per run. The privacy officer's address is where a
reader turns with questions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pledge import i18n
from pledge.core import Pledge
from pledge.registers.common import category_names

TRANSFER_TEMPLATE = "business_transfer_notice"
BREACH_TEMPLATE = "breach_notice"


def transfer_mail(
    pledge: Pledge, *, buyer: str, transferred_at: datetime, categories: list[str]
) -> dict[str, Any]:
    t = i18n.source_language()
    policy = pledge.policy
    lines = [
        t.gettext("Hello,"),
        "",
        t.gettext(
            "As part of a business transfer, personal data we hold about you moved to "
            "%(buyer)s on %(date)s. The data concerned:",
            buyer=buyer,
            date=t.date(transferred_at),
        ),
        "",
        *(f"- {name}" for name in category_names(policy, categories)),
        "",
        *_closing(t, pledge),
    ]
    return _mail(t.gettext("Your personal data has moved to a new owner"), lines, pledge)


def breach_mail(
    pledge: Pledge, *, known_at: datetime, categories: list[str], notice: str
) -> dict[str, Any]:
    t = i18n.source_language()
    policy = pledge.policy
    lines = [
        t.gettext("Hello,"),
        "",
        t.gettext(
            "On %(date)s we learned of a security incident that concerns personal data "
            "we hold about you. The data concerned:",
            date=t.date(known_at),
        ),
        "",
        *(f"- {name}" for name in category_names(policy, categories)),
        "",
        notice,
        "",
        *_closing(t, pledge),
    ]
    return _mail(t.gettext("A security incident concerning your personal data"), lines, pledge)


def _closing(t: i18n.Language, pledge: Pledge) -> list[str]:
    policy = pledge.policy
    return [
        t.gettext(
            "Questions: write to our privacy officer at %(address)s.",
            address=policy.controller.privacy_officer_email,
        ),
        "",
        "-- ",
        *policy.controller.postal_address.lines(),
    ]


def _mail(subject: str, lines: list[str], pledge: Pledge) -> dict[str, Any]:
    del pledge
    return {
        "subject": subject,
        "body": "\n".join(lines) + "\n",
        "headers": {"Auto-Submitted": "auto-generated"},
    }
