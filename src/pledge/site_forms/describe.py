"""A form as the public sees it: ``GET /api/v1/forms`` and the embeddable script read this."""

from __future__ import annotations

from typing import Any

from pledge.core import Pledge
from pledge.i18n import N_, language
from pledge.policy import SiteForm
from pledge.site_forms.intake import AGE_FIELD, MAX_LENGTH
from pledge.site_forms.spam import HONEYPOT, TOKEN_FIELD, issue_token
from pledge.site_forms.uploads import MEDIA_TYPES, max_bytes

CHILD_REPORT_PATH = "/privacy-center/child-report"
WORDS = {
    "year_of_birth": N_("The year you were born"),
    "send": N_("Send"),
    "thanks": N_("Thank you: we received your form"),
    "confirm_by_mail": N_(
        "We sent you an e-mail: open its link to confirm what you asked for. Until you do, "
        "nothing that needs your consent is recorded."
    ),
    "child_report": N_("Report data given by a child"),
    "try_again": N_("Please try again."),
}
"""The embeddable script's own words, in the reader's language (the page's are the same)."""


def describe(pledge: Pledge, form: SiteForm, code: str) -> dict[str, Any]:
    """The form's contract shape (``id``, ``category``, ``purpose``, ``fields``) and more."""
    text = form.text(code)
    fields: list[dict[str, Any]] = []
    for item in form.fields:
        entry: dict[str, Any] = {
            "name": item.id,
            "label": text.fields[item.id],
            "type": item.type,
            "required": item.required,
        }
        if item.type == "file":
            entry["accept"] = [MEDIA_TYPES[kind] for kind in item.accept]
            entry["max_bytes"] = max_bytes(item)
        elif item.type in MAX_LENGTH or item.max_length:
            entry["max_length"] = item.max_length or MAX_LENGTH[item.type]
        fields.append(entry)
    return {
        "id": form.id,
        "title": text.title,
        "category": form.category,
        "purpose": form.purpose,
        "notice": text.notice,
        "fields": fields,
        "consents": [
            {
                "name": q.id,
                "purpose": q.purpose,
                "text": text.consents[q.id],
                "version": q.version,
                "ask_in": q.ask_in,
                "checked_in": q.checked_in,
            }
            for q in form.consents
        ],
        "ask_age": form.ask_age,
        "age_field": AGE_FIELD if form.ask_age else None,
        "minimum_age": pledge.policy.minimum_age,
        "child_report": CHILD_REPORT_PATH,
        "honeypot": HONEYPOT,
        "token_field": TOKEN_FIELD,
        "token": issue_token(pledge, form.id),
        "words": {key: language(code).lookup(message) for key, message in WORDS.items()},
    }
