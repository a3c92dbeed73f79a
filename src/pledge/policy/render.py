"""Everything derived from the policy for people to read: HTML, Markdown, JSON, ROPA CSV.

The public page and the Art. 30 record come from the same :class:`Policy`,
so they cannot drift apart from what Pledge enforces. Templates live in
``pledge/policy/templates``; HTML is autoescaped, so policy text can never
inject markup. The view helpers below turn ids and ISO durations into the
words a reader expects ("2 years", "Legitimate interests").
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping, Sequence
from typing import Any

import jinja2

from pledge.policy.durations import parse_iso_duration
from pledge.policy.schema import Category, Policy, Purpose, Recipient, Retention

__all__ = [
    "BASIS_LABELS",
    "ROPA_COLUMNS",
    "ROPA_SYSTEMS_COLUMN",
    "describe_duration",
    "describe_retention",
    "policy_to_json",
    "render_html",
    "render_markdown",
    "render_ropa_csv",
    "spreadsheet_safe",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What makes a spreadsheet read a CSV cell as a formula (full-width forms included)."""


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``'`` before a formula character.

    CSV files are opened in spreadsheets, which run a cell beginning with
    ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a
    formula: ``=HYPERLINK(...)`` in a stored value would run on the reader's
    machine. The quote is the OWASP remedy; the value stays readable.
    """
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


BASIS_LABELS: dict[str, str] = {
    "consent": "Consent",
    "contract": "Performance of a contract, or steps at your request before one",
    "legal_obligation": "Compliance with a legal obligation",
    "vital_interests": "Vital interests",
    "public_task": "Public task",
    "legitimate_interests": "Legitimate interests",
    "notice": "Notice at collection (no further basis required)",
}

MECHANISM_LABELS: dict[str, str] = {
    "privacy_shield": "EU-U.S. / Swiss-U.S. Privacy Shield",
    "data_privacy_framework": "EU-U.S. Data Privacy Framework",
    "standard_contractual_clauses": "Standard contractual clauses",
    "adequacy": "Adequacy decision",
    "none": "None",
    "legal_requirement": "Required by law",
}

RIGHT_LABELS: dict[str, str] = {
    "access": "Right of access",
    "portability": "Right to data portability",
    "rectification": "Right to rectification",
    "erasure": "Right to erasure",
    "restriction": "Right to restrict processing",
    "objection": "Right to object",
    "withdraw_consent": "Right to withdraw consent",
    "opt_out_marketing": "Right to opt out of marketing",
    "disclosures": "Right to know with whom we shared your data",
    "know": "Right to know",
    "delete": "Right to delete",
    "non_discrimination": "Right to non-discrimination",
    "complaint": "Right to lodge a complaint with the data protection authority",
}

ROPA_COLUMNS: tuple[str, ...] = (
    "controller",
    "controller_contact",
    "purpose",
    "legal_basis",
    "data_subject_categories",
    "personal_data_categories",
    "recipients",
    "third_country_transfers",
    "safeguards",
    "retention",
    "security_measures",
    "purpose_id",
    "category_id",
    "role",
)
"""Columns of the Art. 30 record; the first eleven are the Article's own items."""

ROPA_SYSTEMS_COLUMN = "systems"
"""The column added when connected systems are known: where each category's data lives."""

_UNITS = (
    ("years", "year"),
    ("months", "month"),
    ("days", "day"),
    ("hours", "hour"),
    ("minutes", "minute"),
    ("seconds", "second"),
)


def describe_duration(text: str) -> str:
    """``P2Y`` → ``2 years``; ``PT30M`` → ``30 minutes``; ``session`` → ``end of session``."""
    if text == "session":
        return "end of session"
    duration = parse_iso_duration(text)
    parts = []
    for attribute, unit in _UNITS:
        value = getattr(duration, attribute)
        if value:
            parts.append(f"{value} {unit}{'' if value == 1 else 's'}")
    return ", ".join(parts) or "no time"


def describe_retention(retention: Retention) -> str:
    """The retention in words: the duration, the rule, or both."""
    parts = []
    if retention.duration:
        parts.append(f"{describe_duration(retention.duration)} after collection")
    if retention.rule:
        parts.append(retention.rule)
    return "; or ".join(parts)


def policy_to_json(policy: Policy) -> dict[str, Any]:
    """The policy as JSON-able data, with ``rights`` grouped by jurisdiction id."""
    data = policy.model_dump(mode="json", exclude={"warnings"})
    data["rights"] = {
        jurisdiction.id: [right.model_dump(mode="json") for right in jurisdiction.rights]
        for jurisdiction in policy.jurisdictions
    }
    data["warnings"] = [str(problem) for problem in policy.warnings]
    return data


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("pledge.policy", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["duration"] = describe_duration
    environment.filters["retention"] = describe_retention
    environment.filters["basis"] = lambda key: BASIS_LABELS.get(key, key)
    environment.filters["mechanism"] = lambda key: MECHANISM_LABELS.get(key, key)
    environment.filters["right"] = lambda key: RIGHT_LABELS.get(key, key)
    return environment


def _bases(policy: Policy, purpose: Purpose) -> list[tuple[str, str]]:
    """(jurisdiction name, basis label) for each jurisdiction, in declared order."""
    out = []
    for jurisdiction in policy.jurisdictions:
        basis = policy.legal_basis(purpose.id, jurisdiction.id)
        out.append((jurisdiction.name, BASIS_LABELS.get(basis, "—") if basis else "—"))
    return out


def _shared_with(policy: Policy, category: Category, purpose: Purpose | None) -> list[Recipient]:
    found = [policy.recipient(rid) for rid in category.recipients]
    return [
        recipient
        for recipient in found
        if recipient is not None
        and (purpose is None or not recipient.purposes or purpose.id in recipient.purposes)
    ]


def _context(policy: Policy) -> dict[str, Any]:
    purposes_of = {
        c.id: [p for p in (policy.purpose(pid) for pid in c.purposes) if p]
        for c in policy.categories
    }
    return {
        "policy": policy,
        "s": policy.statements,
        "controller": policy.controller,
        "purposes_of": purposes_of,
        "recipients_of": {c.id: _shared_with(policy, c, None) for c in policy.categories},
        "bases": {p.id: _bases(policy, p) for p in policy.purposes},
        "eu": policy.jurisdiction("eu"),
        "california": policy.jurisdiction("california"),
        "others": [j for j in policy.jurisdictions if j.id not in ("eu", "california")],
        "named_recipients": [r for r in policy.recipients if r.named],
        "analytics_cookies": [c for c in policy.cookies if c.category == "analytics"],
    }


def render_html(policy: Policy) -> str:
    """The public policy as one self-contained, accessible HTML5 page."""
    return _environment().get_template("policy.html").render(_context(policy))


def render_markdown(policy: Policy) -> str:
    """The public policy as Markdown, for repositories and plain-text readers."""
    return _environment().get_template("policy.md").render(_context(policy))


def _transfers(policy: Policy, recipients: list[Recipient]) -> tuple[str, str]:
    """(transfers, safeguards) cells: the controller's own transfer and the recipients'."""
    main = policy.transfers
    transfers = [f"{policy.controller.name} ({main.destination}) from {', '.join(main.origins)}"]
    safeguards = [MECHANISM_LABELS[main.mechanism]]
    for recipient in recipients:
        if recipient.transfer is None:
            continue
        transfers.append(f"{recipient.name} ({recipient.transfer.destination})")
        label = MECHANISM_LABELS[recipient.transfer.mechanism]
        safeguards.append(f"{recipient.name}: {label}")
    if main.successor:
        safeguards.append(f"note: Privacy Shield invalidated; successor {main.successor}")
    return "; ".join(transfers), "; ".join(safeguards)


def _ropa_row(policy: Policy, category: Category, purpose: Purpose) -> list[str]:
    controller = policy.controller
    recipients = _shared_with(policy, category, purpose)
    transfers, safeguards = _transfers(policy, recipients)
    bases = "; ".join(
        f"{j.id}: {policy.legal_basis(purpose.id, j.id) or 'none'}" for j in policy.jurisdictions
    )
    fields = ", ".join(field.name for field in category.fields)
    contact = "; ".join(
        [
            controller.privacy_officer_email,
            controller.phone,
            ", ".join(controller.postal_address.lines()),
        ]
    )
    return [
        controller.name,
        contact,
        purpose.name,
        bases,
        "; ".join(category.subjects),
        f"{category.name}: {fields}",
        "; ".join(recipient.name for recipient in recipients),
        transfers,
        safeguards,
        describe_retention(category.retention),
        "; ".join(policy.security.measures),
        purpose.id,
        category.id,
        category.role,
    ]


def render_ropa_csv(policy: Policy, systems: Mapping[str, Sequence[str]] | None = None) -> str:
    """The GDPR Art. 30 record: one row per (purpose, category) processing activity.

    ``systems`` maps a category id to the places in the company's connected
    systems that hold it (``system.collection``); given, it adds the
    :data:`ROPA_SYSTEMS_COLUMN` column, so the record says where each category
    lives. The policy does not know the systems: the caller reads them.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ROPA_COLUMNS if systems is None else (*ROPA_COLUMNS, ROPA_SYSTEMS_COLUMN))
    for category in policy.categories:
        for purpose_id in category.purposes:
            purpose = policy.purpose(purpose_id)
            if purpose is None:
                continue
            row = _ropa_row(policy, category, purpose)
            if systems is not None:
                row.append("; ".join(systems.get(category.id, ())))
            writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()
