"""The words of every mail a request sends, in one place so they can be read together.

Each function returns ``(subject, body)`` in the language ``t`` of the
request (chosen at intake, kept with it), every sentence from the message
catalogues (``docs/i18n.md``). Bodies say what happens next and by when, as
the issue asks of the acknowledgement; none quotes the person's data back,
since mail can be forwarded or read by others.
"""

from __future__ import annotations

from datetime import datetime

from pledge.i18n import N_, Language
from pledge.policy import Policy

TITLES = {
    "access": N_("access to your personal data"),
    "know": N_("the categories of personal data we hold about you"),
    "portability": N_("a portable copy of your personal data"),
    "rectification": N_("the correction of your personal data"),
    "erasure": N_("the erasure of your personal data"),
    "restriction": N_("the restriction of the processing of your personal data"),
    "objection": N_("your objection to the processing of your personal data"),
    "withdraw_consent": N_("the withdrawal of your consent"),
    "opt_out_marketing": N_("no more marketing"),
    "disclosures": N_("who we shared your personal data with"),
}
"""What a request is about, as a phrase inside a sentence (English source; see :func:`title`)."""

LABELS = {
    "access": N_("Access to your personal data"),
    "know": N_("The categories of personal data we hold about you"),
    "portability": N_("A portable copy of your personal data"),
    "rectification": N_("The correction of your personal data"),
    "erasure": N_("The erasure of your personal data"),
    "restriction": N_("The restriction of the processing of your personal data"),
    "objection": N_("Your objection to the processing of your personal data"),
    "withdraw_consent": N_("The withdrawal of your consent"),
    "opt_out_marketing": N_("No more marketing"),
    "disclosures": N_("Who we shared your personal data with"),
    "non_discrimination": N_("Non-discrimination"),
    "complaint": N_("Complaint"),
}
"""A right's name as a heading or a choice in a form (``delete`` is shown as ``erasure``)."""


def title(t: Language, request_type: str) -> str:
    """What a request of this type is about, in ``t``, for use inside a sentence."""
    return t.lookup(TITLES.get(request_type, request_type.replace("_", " ")))


def label(t: Language, right_type: str) -> str:
    """A right's name in ``t``, for a heading or a choice in a form."""
    name = "erasure" if right_type == "delete" else right_type
    return t.lookup(LABELS.get(name, name.replace("_", " ").capitalize()))


def _signature(policy: Policy, t: Language) -> str:
    controller = policy.controller
    team = t.gettext("%(controller)s privacy team", controller=controller.short_name)
    return f"\n\n{team}\n{controller.privacy_officer_email} · {controller.phone}\n"


def code_mail(
    policy: Policy, t: Language, code: str, *, by_agent: bool, link: str
) -> tuple[str, str]:
    """The one-time code and the link to the request's page, where the code is entered.

    With an agent, the person is told who asked and may refuse. The link alone
    opens nothing: the page asks for the code.
    """
    agent = (
        t.gettext(
            "An authorized agent made this request on your behalf. If you agree, give them "
            "this code; if you did not authorize anyone, ignore this mail and nothing happens."
        )
        + "\n\n"
        if by_agent
        else ""
    )
    body = (
        agent
        + t.gettext("Your verification code is %(code)s", code=code)
        + "\n\n"
        + t.gettext("Open your request's page and enter the code there:")
        + f"\n{link}\n\n"
        + t.gettext(
            "The code is valid for 30 minutes. Never share it with anyone you did not ask to "
            "act for you. We will never ask for it by phone."
        )
        + _signature(policy, t)
    )
    return t.gettext("Your verification code"), body


def acknowledgement_mail(
    policy: Policy, t: Language, request_type: str, due_at: datetime, *, to_agent: bool
) -> tuple[str, str]:
    """Sent at once on receipt: what was asked, what happens next, and the due date."""
    confirm = (
        t.gettext(
            "1. To protect the data from anyone else, the person you represent must confirm "
            "the request with the code we sent to the person's e-mail address. Some requests "
            "also need a second detail we hold, such as a phone number."
        )
        if to_agent
        else t.gettext(
            "1. To protect the data from anyone else, you must confirm the request with the "
            "code we sent to the person's e-mail address. Some requests also need a second "
            "detail we hold, such as a phone number."
        )
    )
    what = title(t, request_type)
    lines = [
        t.gettext("We received a request about %(what)s.", what=what),
        "",
        t.gettext("What happens next:"),
        confirm,
        t.gettext("2. Once confirmed, most requests are answered within minutes."),
        t.gettext(
            "3. At the latest, we will answer by %(day)s. If we need more time, as the law "
            "allows, we will tell you why before then.",
            day=t.date(due_at),
        ),
        "",
        t.gettext("Exercising your rights changes nothing else about how we treat you."),
    ]
    subject = t.gettext("We received your request (%(what)s)", what=what)
    return subject, "\n".join(lines) + _signature(policy, t)


def referral_mail(policy: Policy, t: Language, client: str | None) -> tuple[str, str]:
    """Service Data belongs to the Client: say so, and whom to contact."""
    whom = (
        t.gettext(
            "Please contact %(client)s directly: it can ask us to access, correct or delete "
            "your data, and we will carry that out for it.",
            client=client,
        )
        if client
        else t.gettext(
            "Please contact the business you called, texted or chatted with: it can ask us "
            "to access, correct or delete your data, and we will carry that out for it."
        )
    )
    body = (
        t.gettext(
            "You asked about conversations we handle on behalf of a business (our Client). "
            "For that data, the Client decides what is collected and answers requests about "
            "it; we act on its instructions."
        )
        + " "
        + whom
        + _signature(policy, t)
    )
    return t.gettext("About your request: conversations handled for a business"), body


def closing_mail(
    policy: Policy,
    t: Language,
    request_type: str,
    status: str,
    reason: str | None,
    *,
    link: str | None,
    country: str | None = None,
) -> tuple[str, str]:
    """The answer: completed (with where to find the result) or denied (with the reason).

    A reason Pledge wrote is translated; one typed by staff is sent as typed.
    ``link`` is the request's page; None when the person's address is wiped with
    this answer (an erasure), since no code could reach them to open it.
    """
    what = title(t, request_type)
    why = t.lookup(reason) if reason else None
    page = (
        "\n\n"
        + t.gettext(
            "You can see your request on its page; we send you a new code there to open it:"
        )
        + f"\n{link}"
        if link
        else ""
    )
    if status == "denied":
        body = (
            t.gettext("We could not carry out your request about %(what)s.", what=what)
            + "\n\n"
            + t.gettext("Why: %(reason)s", reason=why)
            + page
            + "\n\n"
            + t.gettext(
                "You may complain to a supervisory authority: %(authority)s.",
                authority=policy.complaint_authority(country),
            )
            + _signature(policy, t)
        )
        return t.gettext("Your request could not be carried out"), body
    extra = "\n\n" + t.gettext("Note: %(reason)s", reason=why) if why else ""
    body = (
        t.gettext("Your request about %(what)s is complete.", what=what)
        + extra
        + page
        + _signature(policy, t)
    )
    return t.gettext("Your request is complete"), body


def extension_mail(policy: Policy, t: Language, due_at: datetime, reason: str) -> tuple[str, str]:
    body = (
        t.gettext(
            "We need more time to answer your request. We will answer by %(day)s.",
            day=t.date(due_at),
        )
        + "\n\n"
        + t.gettext("Why: %(reason)s", reason=reason)
        + _signature(policy, t)
    )
    return t.gettext("We need more time for your request"), body


def review_mail(policy: Policy, t: Language) -> tuple[str, str]:
    body = t.gettext(
        "Your request is confirmed. A member of our team checks requests of this kind "
        "before they take effect; we will write to you when it is done."
    ) + _signature(policy, t)
    return t.gettext("Your request is being reviewed"), body


def lift_mail(
    policy: Policy, t: Language, reason: str | None, country: str | None = None
) -> tuple[str, str]:
    """Art. 18(3) GDPR: the person is told before a restriction they obtained is lifted."""
    why = "\n\n" + t.gettext("Why: %(reason)s", reason=reason) if reason else ""
    body = (
        t.gettext(
            "You asked us to restrict the processing of your personal data, and so far we "
            "have only stored it. We are now lifting that restriction: from now on we will "
            "use your data again for the purposes described in our privacy policy."
        )
        + why
        + "\n\n"
        + t.gettext(
            "If you disagree, you may object, ask us to erase your data, or complain to a "
            "supervisory authority: %(authority)s.",
            authority=policy.complaint_authority(country),
        )
        + _signature(policy, t)
    )
    return t.gettext("We are lifting the restriction on your data"), body


def child_report_mail(policy: Policy, t: Language, due_at: datetime) -> tuple[str, str]:
    """The receipt a person who reported a child's data gets; the child's details stay out."""
    body = t.gettext(
        "Thank you for telling us that a child under %(age)d may have given us personal "
        "data. A member of our team will check what we hold and, where it is the child's, "
        "erase it. We will write to you when this is done, by %(due)s at the latest.",
        age=policy.minimum_age,
        due=t.date(due_at),
    ) + _signature(policy, t)
    return t.gettext("We received your report about a child's data"), body


def child_report_closed_mail(policy: Policy, t: Language) -> tuple[str, str]:
    """The reporter is told the report was handled, in the same words whatever was found.

    Anyone may report any address or phone number, and nobody verified the
    reporter: a mail saying "we erased what we held" or "we hold nothing", or
    quoting staff's reason for a denial, would tell a stranger whether we hold
    data about that person. So one text, for an erasure and a denial alike.
    """
    text = t.gettext(
        "We checked your report about a child's personal data and closed it. Personal data "
        "of a child under %(age)d that we held under the details you gave, if any, has been "
        "erased; data we must keep by law is kept only as long as the law requires. To "
        "protect the people concerned, we do not say what we held.",
        age=policy.minimum_age,
    )
    return t.gettext("Your report about a child's data was handled"), text + _signature(policy, t)
