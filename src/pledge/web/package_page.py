"""The access package as a page a person can read, beside the JSON a program can.

Art. 12 GDPR asks for the answer "in a concise, transparent, intelligible and
easily accessible form", which a JSON file is not for most people. The page
is rendered from the very dict the JSON route returns (so both always say the
same thing) with a Jinja2 environment that escapes every value: what is shown
is the person's own stored data, and a stored ``<script>`` must stay text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from pledge.policy import Policy
from pledge.policy.durations import parse_iso_duration

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,  # every template, whatever its name: values are the person's data
)

BASES = {
    "consent": "your consent",
    "contract": "a contract with you, or steps you asked for before one",
    "legal_obligation": "a legal obligation",
    "legitimate_interests": "our legitimate interests",
    "vital_interests": "someone's vital interests",
    "public_task": "a task in the public interest",
    "notice": "the notice given at collection",
}


def render_package(policy: Policy, package: dict[str, Any]) -> str:
    """The package as one accessible HTML page (lang, one h1, a section per category)."""
    return _templates.get_template("rights/package.html").render(
        lang=policy.language,
        package=package,
        controller=package["controller"]["name"],
        categories=[_category(item) for item in package["categories"]],
        rights=[
            {"title": r["type"].replace("_", " ").capitalize(), **r}
            for r in package["rights"]["rights"]
        ],
        bases=BASES,
        california=package["jurisdiction"] == "california",
    )


def _category(category: dict[str, Any]) -> dict[str, Any]:
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
        "kept_for": _words((category.get("retention") or {}).get("duration")),
    }


def _words(duration: str | None) -> str | None:
    """``P2Y`` as "2 years": the page is for people, not for parsers."""
    if not duration:
        return None
    parsed = parse_iso_duration(duration)
    parts = [
        (parsed.years, "year"),
        (parsed.months, "month"),
        (parsed.days, "day"),
        (parsed.hours, "hour"),
    ]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " and ".join(words) if words else duration


def _text(value: Any) -> str:
    """A stored value as text; structured values shown as JSON (escaped by the template)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


__all__ = ["render_package"]
