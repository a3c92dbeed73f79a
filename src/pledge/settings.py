"""Runtime settings, read from ``PLEDGE_*`` environment variables.

Why a settings object rather than ``os.environ`` lookups scattered around: the
master key and database URL decide whether personal data is safe at rest, so
they are validated once, at start-up, and unsafe combinations are refused
(a PostgreSQL deployment without an explicit master key, a malformed key).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pledge.errors import ConfigurationError

log = logging.getLogger(__name__)

MASTER_KEY_BYTES = 32


class Settings(BaseSettings):
    """Every setting Pledge reads, each documented in docs/operations.md."""

    model_config = SettingsConfigDict(env_prefix="PLEDGE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///pledge.db",
        description="SQLAlchemy URL of the store: sqlite:///path.db or postgresql+psycopg://...",
    )
    policy: Path | None = Field(
        default=None, description="Path of the policy YAML; the bundled policy when unset."
    )
    smtp_url: str | None = Field(
        default=None,
        description="smtp://host:port where mail is sent; unset keeps it in the outbox.",
    )
    smtp_from: str = Field(
        default="privacy@localhost", description="The From address of mail Pledge sends."
    )
    master_key: str | None = Field(
        default=None, description="Base64 of 32 random bytes wrapping every per-subject key."
    )
    erasure_journal: Path | None = Field(
        default=None,
        description="Path of the erasure journal, kept apart from the database and its backups; "
        "start-up re-applies every erasure it lists, so a restored backup forgets them again.",
    )
    audit_anchor: Path | None = Field(
        default=None,
        description="Path of the audit anchor: signed checkpoints of the audit chain, one line "
        "per seal, kept apart from the database; `pledge audit verify` checks the chain against "
        "the newest. Unset: `<db>.audit-anchor` beside a SQLite file; none for PostgreSQL.",
    )
    systems: Path | None = Field(
        default=None,
        description="Path of the connected-systems file (docs/connectors.md): the company's "
        "other databases and processors that requests reach; unset means none.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public URL used in links in mail."
    )
    max_body_bytes: int = Field(
        default=5_000_000, description="Largest HTTP request body accepted, in bytes."
    )
    max_batch_records: int = Field(
        default=10_000, description="Most records accepted in one batch request."
    )
    max_send_list: int = Field(
        default=1_000_000, ge=1, description="Most addresses in one marketing filter request."
    )
    max_send_list_bytes: int = Field(
        default=64_000_000,
        ge=1,
        description="Largest body of an authenticated marketing filter request, in bytes.",
    )
    max_public_body_bytes: int = Field(
        default=262_144,
        ge=1024,
        description=(
            "Largest body accepted from a caller without a valid API or Client key "
            "(request intake, forms, sign-in), in bytes."
        ),
    )
    intake_limit_per_ip: int = Field(
        default=10,
        ge=1,
        description="Requests (and code resends) one IP address may make per hour, anonymously.",
    )
    site_form_answer_seconds: float = Field(
        default=0.4,
        ge=0,
        le=5,
        description=(
            "Least time a site form's accepted submission takes to answer: keeping it, "
            "holding it for a link or neither must not be told apart by timing."
        ),
    )
    beacon_limit_per_ip: int = Field(
        default=120,
        ge=1,
        description="Page views one IP address may report to the beacon per minute.",
    )
    intake_limit_per_address: int = Field(
        default=3,
        ge=1,
        description="Requests made for one e-mail address per hour, whoever makes them.",
    )
    request_page_minutes: int = Field(
        default=30,
        ge=1,
        le=1440,
        description="Minutes a browser stays signed in to a request's page after its code.",
    )
    request_code_limit: int = Field(
        default=3,
        ge=1,
        description="New codes one request's page may send per hour (besides the IP limit).",
    )
    sign_in_limit_per_ip: int = Field(
        default=30,
        ge=1,
        description="Failed console sign-ins one IP address may make per 15 minutes.",
    )
    sign_in_failures_per_account_ip: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords for one account from one IP address per 15 minutes.",
    )
    api_docs: bool = Field(
        default=False,
        description="Serve a local, script-free API reference at /api/docs (PLEDGE_API_DOCS=1).",
    )
    audit_seal_batch: int = Field(
        default=5_000, description="Most audit entries sealed into the hash chain per pass."
    )
    consent_batch_max: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Most consent acts from the API written in one transaction (group commit).",
    )
    api_key_cache_seconds: float = Field(
        default=5,
        ge=0,
        le=60,
        description="Seconds a valid API key is remembered; revoking elsewhere waits this long.",
    )
    cookie_consent_months: int = Field(
        default=6,
        ge=1,
        le=13,
        description="Months a cookie choice is kept before the banner asks again.",
    )
    cookie_consent_keep_months: int = Field(
        default=13,
        ge=1,
        le=36,
        description="Months a cookie-consent row is kept as proof before the retention run "
        "deletes it (never fewer than PLEDGE_COOKIE_CONSENT_MONTHS).",
    )
    outbox_keep_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days a sent, dead or cancelled delivery stays in the outbox before the "
        "retention run deletes it.",
    )
    consent_evidence_months: int = Field(
        default=36,
        ge=1,
        le=120,
        description="Months the evidence of a person's last consent event is kept, when no "
        "consent of theirs is in force, before retention may shred them.",
    )
    delivery_lease_seconds: float = Field(
        default=300,
        gt=0,
        description="Seconds a worker holds a delivery it is sending before another may take it.",
    )
    delivery_batch: int = Field(
        default=50, ge=1, description="Most deliveries of each kind one delivery pass attempts."
    )
    delivery_max_attempts: dict[str, int] = Field(
        default_factory=dict,
        description='Attempts before a delivery goes dead, per kind (JSON: {"email": 30}).',
    )
    webhook_deadline_seconds: float = Field(
        default=30,
        gt=0,
        description="Total seconds one webhook POST may take, connection to last byte.",
    )
    smtp_deadline_seconds: float = Field(
        default=60,
        gt=0,
        description="Total seconds one mail's SMTP conversation may take, connection to QUIT; "
        "a server that drips its replies is cut off then and the mail retried later. "
        "Unset, it is 60 or half the lease, whichever is shorter.",
    )
    package_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days the package of an access or portability request can be downloaded.",
    )
    package_copies: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Most downloads of one request's package (JSON, ZIP and HTML together).",
    )
    delivery_circuit_failures: int = Field(
        default=5,
        ge=1,
        description="Failed attempts in a row to one webhook target that open its circuit.",
    )
    delivery_circuit_cooldown_seconds: float = Field(
        default=300,
        gt=0,
        description="Seconds an open circuit keeps its target's deliveries waiting.",
    )
    webhook_allow_hosts: str = Field(
        default="127.0.0.1,localhost,::1",
        description="Comma-separated hosts a Client's webhook may reach over plain http and "
        "at non-public addresses. The default, this machine only, keeps the contract's "
        "development example working; set it empty in production.",
    )
    max_transcript_chars: int = Field(
        default=200_000,
        ge=1,
        description="Most characters in one Service Data conversation, speakers included (413).",
    )
    policy_notice_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Days the public pages announce a changed policy after it takes effect.",
    )
    policy_notice_batch: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description="People mailed per transaction about a material policy change.",
    )
    unsubscribe_link_days: int = Field(
        default=365,
        ge=30,
        description="Days an unsubscribe link in a marketing e-mail keeps working (30 or more).",
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_webhook(self) -> Settings:
        """A live worker must never lose the lease of a webhook it is still posting, or of
        a mail it is still sending."""
        if self.delivery_lease_seconds <= self.webhook_deadline_seconds:
            raise ValueError(
                "PLEDGE_DELIVERY_LEASE_SECONDS must be longer than PLEDGE_WEBHOOK_DEADLINE_SECONDS"
            )
        if "smtp_deadline_seconds" not in self.model_fields_set:
            # A lease set short before this deadline existed keeps working.
            self.smtp_deadline_seconds = min(
                self.smtp_deadline_seconds, self.delivery_lease_seconds / 2
            )
        if self.delivery_lease_seconds <= self.smtp_deadline_seconds:
            raise ValueError(
                "PLEDGE_DELIVERY_LEASE_SECONDS must be longer than PLEDGE_SMTP_DEADLINE_SECONDS"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of a SQLite URL, or None for memory or other databases."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1] if ":///" in self.database_url else ""
        if not path or path == ":memory:":
            return None
        return Path(path)

    def audit_anchor_path(self) -> Path | None:
        """Where audit checkpoints go: the setting, else beside a SQLite file, else nowhere."""
        if self.audit_anchor is not None:
            return self.audit_anchor
        db_path = self.sqlite_path()
        return db_path.with_name(db_path.name + ".audit-anchor") if db_path else None

    def master_key_bytes(self) -> bytes:
        """The master key, from the environment or (SQLite only) a 0600 key file."""
        if self.master_key:
            return decode_master_key(self.master_key)
        db_path = self.sqlite_path()
        if db_path is None:
            raise ConfigurationError(
                "PLEDGE_MASTER_KEY is required unless the database is a SQLite file"
            )
        return _key_file_beside(db_path)


def decode_master_key(value: str, name: str = "PLEDGE_MASTER_KEY") -> bytes:
    """Decode and size-check a base64 master key, naming the variable on failure."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError(f"{name} is not valid base64") from exc
    if len(raw) != MASTER_KEY_BYTES:
        raise ConfigurationError(f"{name} must decode to {MASTER_KEY_BYTES} bytes, not {len(raw)}")
    return raw


def _key_file_beside(db_path: Path) -> bytes:
    """Read or create ``<db>.key`` with mode 0600; warns because a key beside its data is weak."""
    key_path = db_path.with_name(db_path.name + ".key")
    if key_path.exists():
        return decode_master_key(key_path.read_text())
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(MASTER_KEY_BYTES)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode())
    log.warning(
        "created master key file %s beside the database; set PLEDGE_MASTER_KEY in production",
        key_path,
    )
    return key
