"""A valid submission kept, or held for the person to confirm, and the mail to their address.

A public form proves nothing about who typed the address, so nothing it
carries may change what is held about someone who is already known:

- a consent given ("yes") is never recorded from the form itself: the mail
  carries a link (:mod:`pledge.site_forms.confirmations`), and only following
  it records the consent, with the wording shown as evidence (double opt-in);
- a submission whose purpose rests on consent in any jurisdiction (the
  newsletter) is held with its consent until that link is followed, wherever
  the submitter says the person lives, and so is one claiming another country
  than the one held for a known person (a stranger typing "US" for someone in
  the EU must not pass them off as opted out of the GDPR's consent);
- a "no" (a box that starts ticked, left unticked) is recorded at once only for
  a person this submission creates; for a known person it waits for the link;
- no phone number or other identity is added to the person: a public form's
  records are never compared when someone proves who they are
  (:data:`pledge.records.schemas.SITE_FORM_SOURCE`);
- a person who restricted or objected to the processing gets the same answer
  as anyone, and nothing is stored: the answer must not tell a stranger.

The record is written by :func:`pledge.records.service.collect`, so the
policy's checks hold for forms exactly as for the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pledge.consent.ledger import record_consent
from pledge.consent.ledger.evidence import text_hash
from pledge.consent.schemas import ConsentIn, EvidenceIn
from pledge.core import Pledge
from pledge.db.models import Subject
from pledge.errors import Conflict, ValidationFailed
from pledge.i18n import Language
from pledge.mail.outbox import queue_mail
from pledge.policy import ConsentQuestion, SiteForm
from pledge.records.schemas import SITE_FORM_SOURCE, RecordIn, SubjectIn
from pledge.records.service import collect, find_subject_id, validate_all
from pledge.site_forms.confirmations import CONFIRM_DAYS, CONFIRM_PATH, hold
from pledge.site_forms.intake import Submission

ACTOR = "site-form"


@dataclass(frozen=True)
class Seen:
    """What the server saw of the person's act, for the consent evidence (the IP is truncated)."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Submitted:
    """What the submitter is told: only what they sent decides it, never what is held."""

    confirm_by_mail: bool
    """They ticked a box, or the form is kept only with consent: a link is on its way."""


def submit(
    pledge: Pledge, form: SiteForm, submission: Submission, t: Language, seen: Seen
) -> Submitted:
    """Keep (or hold) a checked submission and queue its mail in the person's language."""
    subject = SubjectIn(email=submission.email, country=submission.country)
    record = RecordIn(
        subject=subject,
        category=form.category,
        purpose=form.purpose,
        source=f"{SITE_FORM_SOURCE}{form.id}",
        data=submission.data,
    )
    validate_all(pledge.policy, [record], batch=False)
    held_in = _held_place(pledge, submission.email)
    known = held_in is not None
    needs_consent = _rests_on_consent(pledge, form.purpose)
    claims_elsewhere = held_in is not None and (
        submission.country != held_in[0] and submission.jurisdiction != held_in[1]
    )
    deferred = needs_consent or claims_elsewhere
    grants, refusals = _acts(form, submission)
    subject_id = None
    if not deferred:
        subject_id = _keep(pledge, record)
        if not known:
            for question in refusals:
                _record(pledge, form, question, subject, False, _evidence(seen), "web_form")
            refusals = []
    token = None
    if deferred or grants or refusals:
        held = {
            "record": record.model_dump(mode="json") if deferred else None,
            "answers": {q.id: True for q in grants} | {q.id: False for q in refusals},
            "texts": {q.id: text_hash(q.text) for q in grants + refusals},
            "subject": subject.model_dump(mode="json"),
        }
        token = hold(pledge, form.id, held)
    # A mail carrying a link is sealed with the system key and purged once sent (the
    # person's key would keep it, and the link with it, for as long as they are held).
    _mail(pledge, form, submission.email, t, token, None if token else subject_id)
    # Told from what was sent only: a stranger must not learn that the address is known.
    return Submitted(confirm_by_mail=needs_consent or bool(grants))


def _acts(
    form: SiteForm, submission: Submission
) -> tuple[list[ConsentQuestion], list[ConsentQuestion]]:
    """The ticked questions, and the unticked ones that started ticked (a deliberate "no")."""
    grants: list[ConsentQuestion] = []
    refusals: list[ConsentQuestion] = []
    for question in form.consents:
        answer = submission.answers.get(question.id)
        if answer:
            grants.append(question)
        elif answer is False and submission.jurisdiction in question.checked_in:
            refusals.append(question)
    return grants, refusals


def _rests_on_consent(pledge: Pledge, purpose_id: str) -> bool:
    """Whether the purpose rests on consent in any jurisdiction of the policy.

    The country is only what the submitter typed: a stranger typing "US" for an
    address in the EU must not get a newsletter kept under a US notice. Such a
    form is kept only once the mailbox's owner follows the link, wherever they say
    they live.
    """
    purpose = pledge.policy.purpose(purpose_id)
    return purpose is not None and "consent" in purpose.legal_basis.values()


def _held_place(pledge: Pledge, email: str) -> tuple[str, str] | None:
    """The country and jurisdiction held for this address; None for someone unknown.

    A claim differs from what is held only when both differ: the form asks no
    region, so a known Californian claiming "US" claims what is held, and a
    move within one jurisdiction changes no legal basis.
    """
    with pledge.sessions() as session:
        subject_id = find_subject_id(session, pledge.keys, email)
        if subject_id is None:
            return None
        row = session.execute(
            select(Subject.country, Subject.jurisdiction).where(Subject.id == subject_id)
        ).one()
        return str(row[0]), str(row[1])


def _keep(pledge: Pledge, record: RecordIn) -> str | None:
    """Collect the record (its subject's id); None, storing nothing, when the policy refuses.

    Refused when the person restricted or objected to this processing, when
    the purpose needs a consent they have not given where the policy places
    them, or (for a held submission) when the policy changed meanwhile.
    """
    try:
        return collect(pledge, [record], actor=ACTOR)[0].subject_id
    except (Conflict, ValidationFailed):
        return None


def confirm_held(pledge: Pledge, form: SiteForm, held: dict[str, Any], seen: Seen) -> None:
    """Record the held answers as the person's own, then keep the held record, if any."""
    subject = SubjectIn.model_validate(held["subject"])
    texts: dict[str, str] = held.get("texts", {})
    for question in form.consents:
        if question.id in held["answers"]:
            evidence = _evidence(seen, text_hash=texts.get(question.id))
            granted = bool(held["answers"][question.id])
            _record(pledge, form, question, subject, granted, evidence, "email_confirmation")
    if held.get("record") is not None:
        _keep(pledge, RecordIn.model_validate(held["record"]))


def _evidence(seen: Seen, *, text_hash: str | None = None) -> EvidenceIn:
    return EvidenceIn(ip=seen.ip, user_agent=seen.user_agent, text_hash=text_hash)


def _record(
    pledge: Pledge,
    form: SiteForm,
    question: ConsentQuestion,
    subject: SubjectIn,
    granted: bool,
    evidence: EvidenceIn,
    method: str,
) -> None:
    purpose = pledge.policy.purpose(question.purpose)
    channel = "email" if purpose is not None and "email" in purpose.channels else None
    shown = evidence.text_hash or text_hash(question.text)
    evidence = evidence.model_copy(
        update={"text_hash": shown, "form": f"{form.id}/{question.id}@{question.version}"}
    )
    consent = ConsentIn.model_validate(
        {
            "subject": subject,
            "purpose": question.purpose,
            "channel": channel,
            "granted": granted,
            "method": method,
            "evidence": evidence,
        }
    )
    record_consent(pledge, consent, actor=ACTOR)


def _mail(
    pledge: Pledge,
    form: SiteForm,
    to: str,
    t: Language,
    token: str | None,
    subject_id: str | None,
) -> None:
    """Sealed under the person's key when they are held, so erasing them erases it too."""
    title, body = confirmation(pledge, form, t, token)
    with pledge.transaction() as session:
        queue_mail(
            session,
            pledge.keys,
            to=to,
            subject=title,
            body=body,
            template="site_form_confirmation",
            subject_id=subject_id,
        )


def confirmation(
    pledge: Pledge, form: SiteForm, t: Language, token: str | None = None
) -> tuple[str, str]:
    """The mail: what was received, the link that confirms any answer, the policy; no value."""
    title = form.text(t.code).title or form.title
    base = pledge.settings.base_url.rstrip("/")
    body = t.gettext(
        "Thank you: we received what you sent with the form “%(form)s”. We use it only as "
        "our privacy policy describes: %(url)s",
        form=title,
        url=f"{base}/policy",
    )
    if token is not None:
        link = base + CONFIRM_PATH + token
        body += "\n\n" + t.gettext(
            "To confirm your choices on this form, open this link within %(days)d days and "
            "press the button: %(link)s\nIf you did not send this form, ignore this mail: "
            "without this link, no consent is recorded and nothing that needs one is kept.",
            days=CONFIRM_DAYS,
            link=link,
        )
    body += "\n\n" + pledge.policy.controller.name
    return t.gettext("We received your form: %(form)s", form=title), body
