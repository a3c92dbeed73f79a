"""Filling a site form's server-rendered page in Chromium as its labels ask.

Shared by the form journeys and the cookie-banner tests of the form pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pledge.policy import SiteForm

HUMAN_PAUSE_MS = 3200
"""Longer than the policy's ``site.min_fill_seconds``: a faster submission is refused."""

SAMPLE = {
    "text": "Sample text",
    "textarea": "A longer sample message.",
    "phone": "+49 30 1234567",
    "date": "2026-01-15",
}


def fill_in(
    page: Any, form: SiteForm, *, email: str, country: str, resume: Path, consenting: bool
) -> None:
    """Every field of ``form`` filled; with ``consenting``, the boxes of the form's own purpose
    ticked (so a form that rests on consent is kept after the link)."""
    for item in form.fields:
        field = page.locator(f"#{item.id}")
        if item.type == "email":
            field.fill(email)
        elif item.type == "country":
            field.select_option(country)
        elif item.type == "file":
            field.set_input_files(str(resume))
        elif item.type == "checkbox":
            field.check()
        elif field.evaluate("node => node.tagName") == "SELECT":  # the open positions
            field.select_option(index=1)
        else:
            field.fill(SAMPLE[item.type])
    if form.ask_age:
        page.locator("#birth_year").fill("1985")
    if consenting:
        for question in form.consents:
            if question.purpose == form.purpose:
                page.locator(f"#{question.id}").check()


BANNER = "div.pledge-cc[role=dialog]"


def choose_cookies(page: Any, button: str) -> None:
    """Answer the cookie banner (``Accept all`` or ``Reject all``) and wait until the server
    has recorded the choice."""
    page.wait_for_selector(BANNER)
    page.get_by_role("button", name=button).first.click()
    page.wait_for_function(
        "() => Number(document.documentElement.dataset.pledgeRecorded || 0) >= 1"
    )
