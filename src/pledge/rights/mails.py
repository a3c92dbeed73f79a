"""The words of every mail a request sends, in one place so they can be read together.

Each function returns ``(subject, body)``. Bodies say what happens next and
by when, as the issue asks of the acknowledgement; none quotes the person's
data back, since mail can be forwarded or read by others.
"""

from __future__ import annotations

from datetime import datetime

from pledge.policy import Policy

TITLES = {
    "access": "access to your personal data",
    "know": "the categories of personal data we hold about you",
    "portability": "a portable copy of your personal data",
    "rectification": "the correction of your personal data",
    "erasure": "the erasure of your personal data",
    "restriction": "the restriction of the processing of your personal data",
    "objection": "your objection to the processing of your personal data",
    "withdraw_consent": "the withdrawal of your consent",
    "opt_out_marketing": "no more marketing",
    "disclosures": "who we shared your personal data with",
}


def _day(value: datetime) -> str:
    return value.strftime("%d %B %Y")


def _signature(policy: Policy) -> str:
    controller = policy.controller
    return (
        f"\n\n{controller.short_name} privacy team\n"
        f"{controller.privacy_officer_email} · {controller.phone}\n"
    )


def code_mail(policy: Policy, code: str, *, by_agent: bool, link: str) -> tuple[str, str]:
    """The one-time code and the link to the request's page, where the code is entered.

    With an agent, the person is told who asked and may refuse. The link alone
    opens nothing: the page asks for the code.
    """
    agent = (
        "An authorized agent made this request on your behalf. If you agree, give them "
        "this code; if you did not authorize anyone, ignore this mail and nothing happens.\n\n"
        if by_agent
        else ""
    )
    body = (
        f"{agent}Your verification code is {code}\n\n"
        f"Open your request's page and enter the code there:\n{link}\n\n"
        "The code is valid for 30 minutes. Never share it with anyone you did not ask to act "
        "for you. We will never ask for it by phone." + _signature(policy)
    )
    return "Your verification code", body


def acknowledgement_mail(
    policy: Policy, request_type: str, due_at: datetime, *, to_agent: bool
) -> tuple[str, str]:
    """Sent at once on receipt: what was asked, what happens next, and the due date."""
    who = "the person you represent" if to_agent else "you"
    body = (
        f"We received a request about {TITLES[request_type]}.\n\n"
        "What happens next:\n"
        f"1. To protect the data from anyone else, {who} must confirm the request with the "
        "code we sent to the person's e-mail address. Some requests also need a second "
        "detail we hold, such as a phone number.\n"
        "2. Once confirmed, most requests are answered within minutes.\n"
        f"3. At the latest, we will answer by {_day(due_at)}. If we need more time, as the "
        "law allows, we will tell you why before then.\n\n"
        "Exercising your rights changes nothing else about how we treat you." + _signature(policy)
    )
    return f"We received your request ({request_type})", body


def referral_mail(policy: Policy, client: str | None) -> tuple[str, str]:
    """Service Data belongs to the Client: say so, and whom to contact."""
    whom = (
        f"Please contact {client} directly"
        if client
        else "Please contact the business you called, texted or chatted with"
    )
    body = (
        "You asked about conversations we handle on behalf of a business (our Client). "
        "For that data, the Client decides what is collected and answers requests about it; "
        f"we act on its instructions. {whom}: it can ask us to access, correct or delete "
        "your data, and we will carry that out for it." + _signature(policy)
    )
    return "About your request: conversations handled for a business", body


def closing_mail(
    policy: Policy, request_type: str, status: str, reason: str | None, *, link: str | None
) -> tuple[str, str]:
    """The answer: completed (with where to find the result) or denied (with the reason).

    ``link`` is the request's page; None when the person's address is wiped with
    this answer (an erasure), since no code could reach them to open it.
    """
    page = (
        f"You can see your request on its page; we send you a new code there to open it:\n"
        f"{link}\n\n"
        if link
        else ""
    )
    if status == "denied":
        body = (
            f"We could not carry out your request about {TITLES[request_type]}.\n\n"
            f"Why: {reason}\n\n{page}"
            "You may complain to a supervisory authority: "
            f"{policy.controller.supervisory_authority}." + _signature(policy)
        )
        return "Your request could not be carried out", body
    extra = f"\n\nNote: {reason}" if reason else ""
    body = (
        f"Your request about {TITLES[request_type]} is complete.{extra}\n\n{page}".rstrip()
        + _signature(policy)
    )
    return "Your request is complete", body


def extension_mail(policy: Policy, due_at: datetime, reason: str) -> tuple[str, str]:
    body = (
        f"We need more time to answer your request. We will answer by {_day(due_at)}.\n\n"
        f"Why: {reason}" + _signature(policy)
    )
    return "We need more time for your request", body


def review_mail(policy: Policy) -> tuple[str, str]:
    body = (
        "Your request is confirmed. A member of our team checks requests of this kind "
        "before they take effect; we will write to you when it is done." + _signature(policy)
    )
    return "Your request is being reviewed", body


def lift_mail(policy: Policy, reason: str | None) -> tuple[str, str]:
    """Art. 18(3) GDPR: the person is told before a restriction they obtained is lifted."""
    why = f"\n\nWhy: {reason}" if reason else ""
    body = (
        "You asked us to restrict the processing of your personal data, and so far we "
        "have only stored it. We are now lifting that restriction: from now on we will "
        "use your data again for the purposes described in our privacy policy." + why + "\n\n"
        "If you disagree, you may object, ask us to erase your data, or complain to a "
        f"supervisory authority: {policy.controller.supervisory_authority}." + _signature(policy)
    )
    return "We are lifting the restriction on your data", body
