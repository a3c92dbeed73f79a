"""What one retention run removed (or, dry, would remove): counts per kind and category."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RetentionReport:
    """Counts only: never a value, never an id of what went."""

    as_of: datetime
    dry_run: bool
    records: Counter[str] = field(default_factory=Counter)
    """Controller records, per policy category."""
    records_on_hold: int = 0
    """Records past their date kept because their person is under a legal hold."""
    subjects: int = 0
    """People shredded: their key destroyed, every ciphertext of theirs unreadable."""
    identities: int = 0
    consent_evidence: int = 0
    """Consent events whose evidence became unreadable with their person's key."""
    cookie_consents: int = 0
    deliveries: Counter[str] = field(default_factory=Counter)
    """Sent, dead or cancelled outbox rows, per kind (email, client_webhook...)."""
    requests: int = 0
    requests_kept: int = 0
    """Request records past 24 months kept for a limit in force or a legal hold."""
    conversations: int = 0
    """Service Data, per the Client's instructions."""
    registers: Counter[str] = field(default_factory=Counter)
    """Legal requests, business transfers and breaches past the policy's ``registers`` periods."""
    complaints: int = 0
    """Complaints past the policy's ``complaints.retention`` (or never confirmed)."""
    page_views: int = 0
    """The site's log data past ``log_data.retention`` (their days kept as aggregates)."""
    form_confirmations: int = 0
    """Site-form answers held for a confirmation link that expired unused."""
    batches: int = 0
    longest_transaction: float = 0.0
    """Seconds of the longest transaction the run held open."""

    def lines(self) -> list[str]:
        """The report as a person reads it: one line per kind, categories beside records."""
        verb = "would remove" if self.dry_run else "removed"
        per_category = ", ".join(f"{name} {count}" for name, count in sorted(self.records.items()))
        per_kind = ", ".join(f"{name} {count}" for name, count in sorted(self.deliveries.items()))
        per_register = ", ".join(f"{name} {n}" for name, n in sorted(self.registers.items()))
        return [
            f"retention as of {self.as_of.isoformat()}: {verb}",
            f"records: {sum(self.records.values())}"
            + (f" ({per_category})" if per_category else ""),
            f"records kept under a legal hold: {self.records_on_hold}",
            f"people shredded: {self.subjects}",
            f"identities: {self.identities}",
            f"consent evidence: {self.consent_evidence}",
            f"cookie consents: {self.cookie_consents}",
            f"deliveries: {sum(self.deliveries.values())}" + (f" ({per_kind})" if per_kind else ""),
            f"request records: {self.requests} (kept for a limit or hold: {self.requests_kept})",
            f"service data conversations: {self.conversations}",
            f"register entries: {sum(self.registers.values())}"
            + (f" ({per_register})" if per_register else ""),
            f"complaints: {self.complaints}",
            f"site page views: {self.page_views}",
            f"unconfirmed site-form answers: {self.form_confirmations}",
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "records": dict(sorted(self.records.items())),
            "records_on_hold": self.records_on_hold,
            "subjects": self.subjects,
            "identities": self.identities,
            "consent_evidence": self.consent_evidence,
            "cookie_consents": self.cookie_consents,
            "deliveries": dict(sorted(self.deliveries.items())),
            "requests": self.requests,
            "requests_kept": self.requests_kept,
            "conversations": self.conversations,
            "registers": dict(sorted(self.registers.items())),
            "complaints": self.complaints,
            "page_views": self.page_views,
            "form_confirmations": self.form_confirmations,
        }
