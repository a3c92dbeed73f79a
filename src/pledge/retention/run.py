"""One retention run: everything whose keeping has ended goes, in bounded batches.

In order: controller records (per their category's deadline), request
records (24 months after they closed, :mod:`pledge.rights.retention`),
Service Data (the Client's instructions, :mod:`pledge.service_data.retention`),
complaints (the policy's ``complaints.retention`` after their answer,
:mod:`pledge.complaints.retention`),
cookie-consent rows, the outbox's finished deliveries, site-form answers whose
confirmation link expired
(:mod:`pledge.retention.housekeeping`), the privacy officer's registers past
the policy's ``registers`` periods (:mod:`pledge.registers.retention`), the
site's page views past ``log_data.retention`` with their days rolled up into
aggregates (:mod:`pledge.site_analytics.retention`), then
the people left with nothing to keep are shredded
(:mod:`pledge.retention.subjects`). A person under a legal hold keeps
everything. A dry run counts the same things with the same conditions and
changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from pledge.complaints.retention import expired_ids, purge
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Conversation
from pledge.registers.retention import expire_registers
from pledge.retention.batches import BATCH
from pledge.retention.housekeeping import (
    count_confirmations,
    count_cookies,
    count_deliveries,
    delete_confirmations,
    delete_cookies,
    delete_deliveries,
)
from pledge.retention.records import count_held, count_records, delete_records
from pledge.retention.report import RetentionReport
from pledge.retention.subjects import shred_people
from pledge.rights.holds import held_subject_ids
from pledge.rights.retention import count_expiring, expire_requests
from pledge.service_data.retention import expire_conversations
from pledge.site_analytics import expire_page_views


def run_retention(
    pledge: Pledge,
    *,
    as_of: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
) -> RetentionReport:
    """Remove (or count, when ``dry_run``) everything due at ``as_of`` (now by default)."""
    report = RetentionReport(as_of=as_of or utcnow(), dry_run=dry_run)
    with pledge.sessions() as session:
        held = held_subject_ids(session)
        report.records_on_hold = count_held(session, report.as_of, held)
    if dry_run:
        _count(pledge, report, held)
    else:
        _remove(pledge, report, batch)
    shred_people(pledge, report, batch)
    return report


def _remove(pledge: Pledge, report: RetentionReport, batch: int) -> None:
    delete_records(pledge, report, batch)
    expired = expire_requests(pledge, now=report.as_of, batch=batch)
    report.requests = expired.requests
    report.requests_kept = expired.kept_in_force + expired.kept_on_hold
    report.conversations = expire_conversations(pledge, now=report.as_of)
    report.complaints = purge(pledge, report.as_of)
    delete_cookies(pledge, report, batch)
    delete_deliveries(pledge, report, batch)
    delete_confirmations(pledge, report)
    report.registers = expire_registers(pledge, as_of=report.as_of)
    report.page_views = expire_page_views(pledge, as_of=report.as_of)


def _count(pledge: Pledge, report: RetentionReport, held: set[str]) -> None:
    with pledge.sessions() as session:
        report.records = count_records(session, report.as_of, held)
        report.conversations = int(
            session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(Conversation.retain_until <= report.as_of)
            )
            or 0
        )
        report.cookie_consents = count_cookies(session, pledge, report.as_of)
        report.deliveries = count_deliveries(session, pledge, report.as_of, held)
        report.form_confirmations = count_confirmations(session, report.as_of)
    report.requests = count_expiring(pledge, now=report.as_of)
    report.registers = expire_registers(pledge, as_of=report.as_of, dry_run=True)
    report.complaints = len(expired_ids(pledge, report.as_of))
    report.page_views = expire_page_views(pledge, as_of=report.as_of, dry_run=True)
