"""Data subject rights: intake, verification, deadlines, fulfilment and proof.

The public API; the web routes, the CLI and the staff console call only these.
"""

from pledge.rights.admin import approve, complete, deny, detail, extend, queue, report
from pledge.rights.disclosures import DisclosureIn, record_disclosure
from pledge.rights.export import package, package_zip
from pledge.rights.fulfil import fulfil, fulfil_verified
from pledge.rights.identity import PageSession
from pledge.rights.lifting import lift
from pledge.rights.page import open_with_code, page_state, send_page_code, sign_out, signed_in
from pledge.rights.proposals import propose
from pledge.rights.schemas import AgentIn, CodeIn, LiftIn, ReasonIn, RequestIn
from pledge.rights.service import Submitted, describe, resend_code, submit, verify, view
from pledge.rights.suppressions import is_suppressed

__all__ = [
    "AgentIn",
    "CodeIn",
    "DisclosureIn",
    "LiftIn",
    "PageSession",
    "ReasonIn",
    "RequestIn",
    "Submitted",
    "approve",
    "complete",
    "deny",
    "describe",
    "detail",
    "extend",
    "fulfil",
    "fulfil_verified",
    "is_suppressed",
    "lift",
    "open_with_code",
    "package",
    "package_zip",
    "page_state",
    "propose",
    "queue",
    "record_disclosure",
    "report",
    "resend_code",
    "send_page_code",
    "sign_out",
    "signed_in",
    "submit",
    "verify",
    "view",
]
