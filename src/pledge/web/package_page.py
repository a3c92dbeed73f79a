"""The access package as a page a person can read, beside the JSON a program can.

Art. 12 GDPR asks for the answer "in a concise, transparent, intelligible and
easily accessible form", which a JSON file is not for most people. The page
is rendered from the very dict the JSON route returns (so both always say the
same thing) with a Jinja2 environment that escapes every value: what is shown
is the person's own stored data, and a stored ``<script>`` must stay text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from fastapi import Request
from markupsafe import Markup

from pledge.i18n import N_, Language, source_language
from pledge.policy import Policy
from pledge.policy.durations import parse_iso_duration
from pledge.rights.mails import label
from pledge.web.templating import environment, page_context

# Our own file, not a person's data; escaped, its ">" selectors and quoted font names would break.
STYLESHEET = Markup(  # noqa: S704
    Path(__file__).with_name("static").joinpath("pledge.css").read_text(encoding="utf-8")
)
"""The public pages' stylesheet, written into the package page itself.

A saved or API-fetched package is read away from the server, so it carries
its style rather than linking to ``/static``.
"""
STYLE_HASH = "'sha256-{}'".format(
    base64.b64encode(hashlib.sha256(STYLESHEET.encode("utf-8")).digest()).decode()
)
"""The CSP source that lets exactly that ``<style>`` apply, and no other inline style."""

BASES = {
    "consent": N_("your consent"),
    "contract": N_("a contract with you, or steps you asked for before one"),
    "legal_obligation": N_("a legal obligation"),
    "legitimate_interests": N_("our legitimate interests"),
    "vital_interests": N_("someone's vital interests"),
    "public_task": N_("a task in the public interest"),
    "notice": N_("the notice given at collection"),
}


def render_package(policy: Policy, package: dict[str, Any], request: Request | None = None) -> str:
    """The package as one accessible HTML page (lang, one h1, a section per category).

    In the language of ``request`` (English without one): Pledge's words and
    the rights the policy translates; the rest is the policy's own text.
    """
    context = page_context(request) if request is not None else {}
    t: Language = context.get("language") or source_language()
    jurisdiction = policy.jurisdiction(package["jurisdiction"])
    rights = []
    for right in package["rights"]["rights"]:
        description = right["description"]
        if jurisdiction is not None:
            description = policy.text_of(jurisdiction, t.code, right=right["type"])[0]
        rights.append({**right, "title": label(t, right["type"]), "description": description})
    shown = {
        **package,
        "copy_note": t.lookup(package["copy_note"]) if package.get("copy_note") else None,
        "note": t.lookup(package["note"]) if package.get("note") else None,
    }
    return environment.get_template("rights/package.html").render(
        {
            "lang": t.code,
            **context,
            "package": shown,
            "stylesheet": STYLESHEET,
            "controller": package["controller"]["name"],
            "categories": [_category(t, item) for item in package["categories"]],
            "rights": rights,
            "bases": {key: t.lookup(text) for key, text in BASES.items()},
            "california": package["jurisdiction"] == "california",
        }
    )


def _category(t: Language, category: dict[str, Any]) -> dict[str, Any]:
    """A category with its records laid out as table rows (one column per field)."""
    records = category["records"]
    names = {purpose["id"]: purpose["name"] for purpose in category["purposes"]}
    rows: list[dict[str, Any]] = []
    if isinstance(records, list):
        for record in records:
            data = record.get("data", {})
            rows.append(
                {
                    "collected": record["collected_at"][:10],
                    "purpose": names.get(record["purpose"], record["purpose"]),
                    "source": record["source"],
                    "values": [_text(data.get(name)) for name in category["fields"]],
                }
            )
    return {
        **category,
        "rows": rows,
        "count": len(records) if isinstance(records, list) else records,
        "with_values": isinstance(records, list) and any("data" in r for r in records),
        "kept_for": _words(t, (category.get("retention") or {}).get("duration")),
    }


def _words(t: Language, duration: str | None) -> str | None:
    """``P2Y`` as "2 years": the page is for people, not for parsers."""
    if not duration:
        return None
    parsed = parse_iso_duration(duration)
    words = [
        text
        for count, text in (
            (parsed.years, t.ngettext("%(num)d year", "%(num)d years", parsed.years)),
            (parsed.months, t.ngettext("%(num)d month", "%(num)d months", parsed.months)),
            (parsed.days, t.ngettext("%(num)d day", "%(num)d days", parsed.days)),
            (parsed.hours, t.ngettext("%(num)d hour", "%(num)d hours", parsed.hours)),
        )
        if count
    ]
    return t.join(words) if words else duration


def _text(value: Any) -> str:
    """A stored value as text; structured values shown as JSON (escaped by the template)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


__all__ = ["render_package"]
