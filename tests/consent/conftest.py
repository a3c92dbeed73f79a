"""Helpers for consent tests: people in opt-in (FR) and opt-out (US) jurisdictions."""

from __future__ import annotations

from typing import Any

from pledge.consent import ConsentIn, record_consent
from pledge.core import Pledge

EU = "amelie.durand@example.fr"
US = "jordan.baker@example.com"


def give(
    pledge: Pledge,
    email: str,
    *,
    granted: bool = True,
    country: str = "FR",
    channel: str | None = "email",
    purpose: str = "marketing",
    method: str = "web_form",
    **extra: Any,
) -> list[str]:
    """Record one act through the library; returns the event ids."""
    body: dict[str, Any] = {
        "subject": {"email": email, "country": country},
        "purpose": purpose,
        "channel": channel,
        "granted": granted,
        "method": method,
        **extra,
    }
    return list(record_consent(pledge, ConsentIn.model_validate(body), actor="test").event_ids)
