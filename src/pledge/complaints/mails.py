"""The mails a person who complained receives, in the language they complained in.

Staff's answer is sent as typed; Pledge's own words around it are translated.
Every mail that closes a complaint names where the person may turn next: the
independent recourse body and the data protection authority of their country.
"""

from __future__ import annotations

from datetime import datetime

from pledge.i18n import Language
from pledge.policy import Policy


def _signature(policy: Policy, t: Language) -> str:
    controller = policy.controller
    team = t.gettext("%(controller)s privacy team", controller=controller.short_name)
    return f"\n\n{team}\n{controller.privacy_officer_email} · {controller.phone}\n"


def _next_steps(policy: Policy, t: Language, country: str) -> str:
    recourse = policy.controller.dispute_resolution
    return (
        "\n\n"
        + t.gettext(
            "If you are not satisfied, you may turn free of charge to %(provider)s: %(url)s",
            provider=recourse.provider,
            url=recourse.url,
        )
        + "\n\n"
        + t.gettext(
            "You may complain to a supervisory authority: %(authority)s.",
            authority=policy.complaint_authority(country),
        )
    )


def code_mail(
    policy: Policy, t: Language, code: str, due_at: datetime, link: str
) -> tuple[str, str]:
    """The code that confirms the complaint came from this mailbox, and where to type it."""
    body = (
        t.gettext("Your verification code is %(code)s", code=code)
        + "\n\n"
        + t.gettext(
            "Enter it where you sent your complaint to confirm it. We will answer by %(day)s.",
            day=t.date(due_at),
        )
        + "\n\n"
        + t.gettext("You can also enter it on this page: %(link)s", link=link)
        + "\n\n"
        + t.gettext(
            "The code is valid for 30 minutes. Never share it with anyone you did not ask to "
            "act for you. We will never ask for it by phone."
        )
        + _signature(policy, t)
    )
    return t.gettext("Confirm your complaint"), body


def receipt_mail(policy: Policy, t: Language, due_at: datetime) -> tuple[str, str]:
    """For a complaint staff entered from a letter or a call: it is on record, and when."""
    body = t.gettext(
        "We have recorded your complaint about how we handled your personal data. "
        "We will answer by %(day)s.",
        day=t.date(due_at),
    ) + _signature(policy, t)
    return t.gettext("We received your complaint"), body


def answer_mail(
    policy: Policy, t: Language, answer: str, received_at: datetime, country: str
) -> tuple[str, str]:
    body = (
        t.gettext(
            "Here is our answer to the complaint you sent us on %(day)s:",
            day=t.date(received_at),
        )
        + "\n\n"
        + answer
        + _next_steps(policy, t, country)
        + _signature(policy, t)
    )
    return t.gettext("Our answer to your complaint"), body


def escalation_mail(policy: Policy, t: Language, reference: str, country: str) -> tuple[str, str]:
    provider = policy.controller.dispute_resolution.provider
    body = (
        t.gettext(
            "We have referred your complaint to %(provider)s, the independent body that "
            "resolves complaints we could not settle, free of charge for you. Their "
            "reference: %(reference)s.",
            provider=provider,
            reference=reference,
        )
        + "\n\n"
        + t.gettext(
            "You may complain to a supervisory authority: %(authority)s.",
            authority=policy.complaint_authority(country),
        )
        + _signature(policy, t)
    )
    return t.gettext("Your complaint was referred to %(provider)s", provider=provider), body
