"""A valid submission kept: consent answers to the ledger, the record, the confirmation mail.

The record is written by :func:`pledge.records.service.collect`, so the policy's
checks (declared fields, restriction, objection, consent for a purpose that
rests on it) hold for forms exactly as for the API. Consent answers go first,
each with the wording shown and its version as evidence: a newsletter whose
purpose rests on consent in the EU is stored only because the ledger now holds
that consent.
"""

from __future__ import annotations

from dataclasses import dataclass

from pledge.consent.ledger import record_consent
from pledge.consent.schemas import ConsentIn, EvidenceIn
from pledge.core import Pledge
from pledge.i18n import Language
from pledge.mail.outbox import queue_mail
from pledge.policy import SiteForm
from pledge.records.schemas import RecordIn, RecordOut, SubjectIn
from pledge.records.service import collect, validate_all
from pledge.site_forms.intake import Submission

ACTOR = "site-form"


@dataclass(frozen=True)
class Seen:
    """What the server saw of the person's act, for the consent evidence (the IP is truncated)."""

    ip: str | None = None
    user_agent: str | None = None


def submit(
    pledge: Pledge, form: SiteForm, submission: Submission, t: Language, seen: Seen
) -> RecordOut:
    """Keep a checked submission and queue its confirmation in the person's language."""
    subject = SubjectIn(email=submission.email, country=submission.country, phone=submission.phone)
    record = RecordIn(
        subject=subject,
        category=form.category,
        purpose=form.purpose,
        source=f"site form {form.id}",
        data=submission.data,
    )
    validate_all(pledge.policy, [record], batch=False)
    _record_answers(pledge, form, submission, subject, seen)
    out = collect(pledge, [record], actor=ACTOR)[0]
    title, body = confirmation(pledge, form, t)
    with pledge.transaction() as session:
        queue_mail(
            session,
            pledge.keys,
            to=submission.email,
            subject=title,
            body=body,
            template="site_form_confirmation",
            subject_id=out.subject_id,
        )
    return out


def _record_answers(
    pledge: Pledge, form: SiteForm, submission: Submission, subject: SubjectIn, seen: Seen
) -> None:
    for question in form.consents:
        if question.id not in submission.answers:
            continue
        purpose = pledge.policy.purpose(question.purpose)
        channel = "email" if purpose is not None and "email" in purpose.channels else None
        evidence = EvidenceIn(
            ip=seen.ip,
            user_agent=seen.user_agent,
            text=question.text,
            form=f"{form.id}/{question.id}@{question.version}",
        )
        consent = ConsentIn(
            subject=subject,
            purpose=question.purpose,
            channel=channel,
            granted=submission.answers[question.id],
            method="web_form",
            evidence=evidence,
        )
        record_consent(pledge, consent, actor=ACTOR)


def confirmation(pledge: Pledge, form: SiteForm, t: Language) -> tuple[str, str]:
    """The confirmation mail: what was received and where the policy is; no value repeated."""
    title = form.text(t.code).title or form.title
    policy_url = f"{pledge.settings.base_url.rstrip('/')}/policy"
    body = t.gettext(
        "Thank you: we received what you sent with the form “%(form)s”. We use it only as "
        "our privacy policy describes: %(url)s",
        form=title,
        url=policy_url,
    )
    body += "\n\n" + pledge.policy.controller.name
    return t.gettext("We received your form: %(form)s", form=title), body
