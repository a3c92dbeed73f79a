"""Rectification's proposed values: checked like collection, shown to staff beside what is held.

Why at intake: a correction is stored data in waiting. Staff approve it, and
then it replaces what collection once checked against the policy, so it must
pass the same checks (:func:`pledge.records.validation.check_value`, by the
policy's field type), be one plain value (never a list or an object), and
not begin like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) unless the field's type allows it (a phone's leading ``+``).
The same check runs again when the correction is applied, against the policy
of that day.

Why staff see the values: approving a correction one cannot see is no review.
:func:`review` decrypts, for staff only, the proposed value of each field
beside the values held now; the requester's view and the logs never hold it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.crypto import KeyDestroyed
from pledge.db.models import RightsRequest
from pledge.errors import ValidationFailed
from pledge.policy import Field, Policy
from pledge.policy.render import FORMULA_PREFIXES
from pledge.records.service import decrypted_records
from pledge.records.subjects import email_taken
from pledge.records.validation import check_value
from pledge.rights.lifecycle import private_data
from pledge.rights.views import CorrectionView, HeldValue

__all__ = ["check_corrections", "problem", "review"]


def _fields(policy: Policy, name: str) -> list[Field]:
    """Every declaration of a field the person's own (controller) data may hold."""
    return [
        found
        for category in policy.categories
        if category.role == "controller" and (found := category.field(name)) is not None
    ]


def problem(field: Field, value: Any, minimum_age: int, today: date) -> str | None:
    """Why ``value`` cannot replace a value of ``field``; None when it can. Never the value."""
    if value is None:
        return "give the corrected value (to delete data, ask for erasure)"
    if isinstance(value, dict | list):
        return "must be one value, not a list or an object"
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        allowed = field.type == "phone" and value.startswith("+")
        if not allowed:
            return "must not begin with =, +, -, @, a tab or a line break"
    return check_value(field, value, minimum_age, today)


def check_corrections(policy: Policy, corrections: dict[str, Any], today: date) -> None:
    """422 naming ``corrections.<field>`` for each correction collection would refuse."""
    problems: dict[str, str] = {}
    for name, value in corrections.items():
        declared = _fields(policy, name)
        if not declared:
            problems[f"corrections.{name}"] = "not a field of your data that the policy declares"
            continue
        found = next(
            (p for field in declared if (p := problem(field, value, policy.minimum_age, today))),
            None,
        )
        if found:
            problems[f"corrections.{name}"] = found
    if problems:
        raise ValidationFailed("some corrections are not valid", fields=problems)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def review(session: Session, pledge: Pledge, row: RightsRequest) -> list[CorrectionView]:
    """Old and new values of each proposed correction, decrypted for staff."""
    corrections: dict[str, Any] = private_data(pledge, row).get("corrections") or {}
    if not corrections:
        return []
    held: dict[str, list[HeldValue]] = {name: [] for name in corrections}
    if row.subject_id is not None:
        try:
            records = decrypted_records(session, pledge.keys, row.subject_id)
        except KeyDestroyed:
            records = []
        for record in records:
            for name in corrections:
                if name in record.data:
                    item = HeldValue(category=record.category, value=_text(record.data[name]))
                    if item not in held[name]:
                        held[name].append(item)
    return [
        CorrectionView(
            field=name,
            held=held[name],
            proposed=_text(value),
            warning=_warning(session, pledge, row, name, value),
        )
        for name, value in sorted(corrections.items())
    ]


def _warning(
    session: Session, pledge: Pledge, row: RightsRequest, name: str, value: Any
) -> str | None:
    """Staff learn before approving what the person is told only in neutral words after."""
    if name != "email" or not isinstance(value, str) or row.subject_id is None:
        return None
    if email_taken(session, pledge.keys, row.subject_id, value):
        return (
            "another person we hold already has this address: approving will not apply it "
            "(the person is told only that it could not be recorded); deny, or ask them"
        )
    return None
