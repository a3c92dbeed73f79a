"""Complaints about how personal data was handled: intake, the staff queue, retention.

The policy promises to resolve complaints (an answer within its
``complaints.deadline``, 45 days) and, failing that, free independent recourse
(``controller.dispute_resolution``); people in the EEA, Switzerland and the UK
are told of their own data protection authority (``authorities``).
"""

from pledge.complaints.casework import answer, escalate, investigate
from pledge.complaints.intake import PAGE_PATH, page_link, resend_code, submit, verify
from pledge.complaints.queue import detail, export_csv, listing, one
from pledge.complaints.retention import purge
from pledge.complaints.schemas import (
    ComplaintAccepted,
    ComplaintCodeIn,
    ComplaintDetail,
    ComplaintIn,
    ComplaintStatus,
    ComplaintView,
)
from pledge.complaints.states import METHODS, STATES

__all__ = [
    "METHODS",
    "PAGE_PATH",
    "STATES",
    "ComplaintAccepted",
    "ComplaintCodeIn",
    "ComplaintDetail",
    "ComplaintIn",
    "ComplaintStatus",
    "ComplaintView",
    "answer",
    "detail",
    "escalate",
    "export_csv",
    "investigate",
    "listing",
    "one",
    "page_link",
    "purge",
    "resend_code",
    "submit",
    "verify",
]
