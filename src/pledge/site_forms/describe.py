"""A form as the public sees it: ``GET /api/v1/forms`` and the embeddable script read this."""

from __future__ import annotations

from typing import Any

from pledge.core import Pledge
from pledge.policy import SiteForm
from pledge.site_forms.intake import AGE_FIELD, MAX_LENGTH
from pledge.site_forms.spam import HONEYPOT, TOKEN_FIELD, issue_token
from pledge.site_forms.uploads import MEDIA_TYPES, max_bytes

CHILD_REPORT_PATH = "/privacy-center/child-report"


def describe(pledge: Pledge, form: SiteForm, language: str) -> dict[str, Any]:
    """The form's contract shape (``id``, ``category``, ``purpose``, ``fields``) and more."""
    text = form.text(language)
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
    }
