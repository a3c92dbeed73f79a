"""Corrections a person gives on their request's page, for the fields Pledge holds about them.

Why here and not at intake: the privacy center's form cannot know what is
held (it must not tell a stranger), so a rectification made there arrives
without corrections. Once the code proved the person, their page
(:mod:`pledge.web.request_page`) offers the fields the store actually holds
(names from the policy, never values) and this module takes the corrected
values: each typed like the console's form (:func:`~pledge.rights.correction_input.typed_value`),
checked like the API's (:func:`~pledge.rights.corrections.check_corrections`),
stored encrypted in the request's private part as the API stores them, and
the request moves on to staff review. A field that is not held is refused,
so a forged form cannot plant a correction the approval would not apply.

The request's status makes the form one-use: it is taken only while the
request is ``awaiting_corrections`` (read under a row lock), so a form sent
again finds it under review and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.models import Record
from pledge.errors import Conflict, ValidationFailed
from pledge.i18n import N_
from pledge.policy import Policy
from pledge.rights import mails
from pledge.rights.correction_input import CorrectableField, typed_value
from pledge.rights.corrections import check_corrections
from pledge.rights.identity import PageSession
from pledge.rights.lifecycle import (
    add_event,
    language_of,
    load_for_holder,
    mail_person,
    move,
    now_or,
    private_data,
)
from pledge.rights.states import AWAITING_CORRECTIONS, AWAITING_REVIEW

__all__ = [
    "FORM",
    "NOTHING_GIVEN",
    "NOT_HELD",
    "NOT_WAITING",
    "held_fields",
    "propose",
]

FORM = "corrections"
"""The key of a problem with the form as a whole (not one field)."""
NOTHING_GIVEN = N_("type the corrected value of at least one field")
NOT_HELD = N_("we hold no such field about you; choose one of the fields listed")
NOT_WAITING = N_("this request does not take corrections now")


def held_fields(session: Session, policy: Policy, subject_id: str | None) -> list[CorrectableField]:
    """The fields the subject's records hold, in the policy's order: ids, names and types.

    Read from the records' field names (kept in clear for this kind of
    question), never from their values; only fields the policy declares for
    the record's own (controller) category count.
    """
    if subject_id is None:
        return []
    held: set[str] = set()
    for category_id, names in session.execute(
        select(Record.category, Record.field_names).where(Record.subject_id == subject_id)
    ):
        category = policy.category(category_id)
        if category is not None and category.role == "controller":
            held |= {name for name in names or [] if category.field(name) is not None}
    fields: dict[str, CorrectableField] = {}
    for category in policy.categories:
        if category.role != "controller":
            continue
        for field in category.fields:
            if field.id in held:
                fields.setdefault(field.id, CorrectableField(field.id, field.name, field.type))
    return list(fields.values())


def propose(
    pledge: Pledge,
    request_id: str,
    page: PageSession,
    texts: dict[str, str],
    *,
    now: datetime | None = None,
) -> None:
    """Store the person's corrections and hand the request to staff; nothing on any error.

    ``texts`` are the form's values by field id; blank ones are not given.
    Raises NotFound without a live page session, Conflict once the request no
    longer waits for corrections, and ValidationFailed naming ``corrections``
    (the form) or ``corrections.<field>`` (one value) otherwise.
    """
    now = now_or(now)
    policy = pledge.policy
    with pledge.transaction() as session:
        row = load_for_holder(session, pledge, request_id, page, lock=True)
        if row.status != AWAITING_CORRECTIONS:
            raise Conflict(NOT_WAITING)
        given = {name: text for name, text in texts.items() if text.strip()}
        held = {field.id for field in held_fields(session, policy, row.subject_id)}
        if set(given) - held:
            raise ValidationFailed(NOT_HELD, fields={FORM: NOT_HELD})
        if not given:
            raise ValidationFailed(NOTHING_GIVEN, fields={FORM: NOTHING_GIVEN})
        corrections = {name: typed_value(policy, name, text) for name, text in given.items()}
        check_corrections(policy, corrections, now.date())
        private = {**private_data(pledge, row), "corrections": corrections}
        row.private_ciphertext = pledge.keys.encrypt_system(private, f"rights-private:{row.id}")
        add_event(
            session,
            row,
            "corrections_sent",
            actor="requester",
            at=now,
            note="The person gave their corrections on the request's page.",
            details={"fields": sorted(corrections)},
        )
        move(
            session,
            row,
            AWAITING_REVIEW,
            actor="requester",
            at=now,
            note="Waiting for a member of staff to review the corrections.",
        )
        review = mails.review_mail(policy, language_of(pledge, row))
        mail_person(session, pledge, row, review, "rights_review")
