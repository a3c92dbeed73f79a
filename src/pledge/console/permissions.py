"""Staff roles and what each may do: the one table every console route is checked against.

Why one table: a role is a promise about what its holder can reach, and the
promise is only checkable when it is written once. Each console route names
one :class:`Permission` (``pledge.web.deps.require``); a test walks the app's
routes and fails on any staff route that names none, then signs in as every
role and checks each route answers 403 exactly where this table says so.

``staff`` was the second role before there were five; it handled requests
only, which is what ``support`` does, so migration 0015 renamed every ``staff``
account to ``support`` and ``staff`` is still accepted wherever a role is given
(``pledge users create --role staff``), stored as ``support``.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    REQUESTS_READ = "requests.read"
    """The request queue and each request's page."""
    REQUESTS_ENTER = "requests.enter"
    """Record a request received by e-mail, phone or post."""
    REQUESTS_ACT = "requests.act"
    """Complete, extend, deny, approve (after review) and lift requests."""
    CORRECTIONS_APPROVE = "corrections.approve"
    """Approve a rectification request's corrections (which change held data)."""
    CHILD_DATA_ERASE = "children.erase"
    """Erase a child's data on a report, after staff's own check, without any code."""
    DELIVERIES_READ = "deliveries.read"
    """The outbox: counts, dead letters, recent deliveries (ids and states, no addresses)."""
    CLIENTS_READ = "clients.read"
    CLIENTS_MANAGE = "clients.manage"
    """Register Clients, disable and enable them, rotate their keys."""
    STAFF_READ = "staff.read"
    """Staff accounts, their roles, second factor and live sessions."""
    STAFF_MANAGE = "staff.manage"
    """Change roles, disable and enable accounts, end sessions, reset second factors."""
    AUDIT_READ = "audit.read"
    """The audit log (ids, actions and tags; never personal data)."""
    HOLDS_READ = "holds.read"
    """Legal holds: their state, dates and reasons (never the person's address)."""
    HOLDS_MANAGE = "holds.manage"
    """Place and release legal holds (which stop retention and erasure for a person)."""
    REGISTERS_READ = "registers.read"
    """The legal-request, business-transfer and breach registers, and their CSV exports."""
    REGISTERS_WRITE = "registers.write"
    """Record legal requests, transfers and breaches, decide on a breach, send their notices."""
    COMPLAINTS_READ = "complaints.read"
    """The complaints queue: states, due days, overdue (never an address or a text); CSV."""
    COMPLAINTS_TEXT = "complaints.text"
    """Open a complaint: the person's address, what they wrote and the answer (audited)."""
    COMPLAINTS_ACT = "complaints.act"
    """Enter a complaint received by post or phone; investigate, answer, escalate."""
    ROPA_READ = "ropa.read"
    """The record of processing activities (GDPR Art. 30)."""
    ANALYTICS_READ = "analytics.read"
    """The site's visitor aggregates (groups of at least k distinct visitors, never one)."""
    RECRUITING_READ = "recruiting.read"
    """Positions and their applicants, decrypted (every showing audited as a read)."""
    RECRUITING_ACT = "recruiting.act"
    """Open and close positions, send an application for a background check, hire."""
    ACCOUNT_OWN = "account.own"
    """One's own account: password, sessions."""
    SECOND_FACTOR_OWN = "account.second_factor"
    """Set up one's own authenticator app (TOTP)."""
    SIGN_OUT = "session.sign_out"


SELF_SERVICE = frozenset(
    {Permission.ACCOUNT_OWN, Permission.SECOND_FACTOR_OWN, Permission.SIGN_OUT}
)
"""What every role may do to its own sign-in, the read-only auditor included: an account
that could not change its password, end a stolen session or sign out would be less safe."""

READ_ONLY = frozenset(
    {
        Permission.REQUESTS_READ,
        Permission.DELIVERIES_READ,
        Permission.CLIENTS_READ,
        Permission.STAFF_READ,
        Permission.AUDIT_READ,
        Permission.HOLDS_READ,
        Permission.REGISTERS_READ,
        Permission.COMPLAINTS_READ,
        Permission.ROPA_READ,
        Permission.ANALYTICS_READ,
    }
)

REQUEST_WORK = frozenset(
    {Permission.REQUESTS_READ, Permission.REQUESTS_ENTER, Permission.REQUESTS_ACT}
)

RECRUITING = frozenset({Permission.RECRUITING_READ, Permission.RECRUITING_ACT})
"""Applicants' data is for the recruiting team alone: no other role, not even an admin or a
privacy officer, reads it (the policy names the recruiting team and its providers, no one
else). An admin who must reach it gives an account the ``recruiter`` role, which is audited."""

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission) - RECRUITING,
    "privacy_officer": SELF_SERVICE
    | READ_ONLY
    | REQUEST_WORK
    | {
        Permission.CORRECTIONS_APPROVE,
        Permission.CHILD_DATA_ERASE,
        Permission.HOLDS_MANAGE,
        Permission.REGISTERS_WRITE,
        Permission.COMPLAINTS_TEXT,
        Permission.COMPLAINTS_ACT,
    },
    "support": SELF_SERVICE | REQUEST_WORK | {Permission.DELIVERIES_READ},
    "recruiter": SELF_SERVICE | RECRUITING,
    "auditor": SELF_SERVICE | READ_ONLY,
}
"""role → what it may do. The recruiter has its own account and the recruiting pages only;
the auditor reads everything but applicants and changes nothing but its own sign-in."""

ROLES = tuple(ROLE_PERMISSIONS)
ROLE_ALIASES = {"staff": "support"}
"""Older names still accepted as input; stored under the new name."""

SECOND_FACTOR_REQUIRED = frozenset({"admin", "recruiter"})
"""Roles that must use an authenticator app: until it is set up, such an account reaches
only the set-up page (:data:`ENROLMENT_ONLY`). The recruiter reads applicants' résumés in
clear, so a stolen password alone must not open them."""

ENROLMENT_ONLY = frozenset({Permission.SECOND_FACTOR_OWN, Permission.SIGN_OUT})


def canonical_role(role: str) -> str | None:
    """The stored name of ``role`` (aliases resolved), or None for no known role."""
    role = ROLE_ALIASES.get(role, role)
    return role if role in ROLE_PERMISSIONS else None


def permissions_of(role: str, *, second_factor: bool) -> frozenset[Permission]:
    """What an account of ``role`` may do now; nothing for an unknown role (fail closed)."""
    if role in SECOND_FACTOR_REQUIRED and not second_factor:
        return ENROLMENT_ONLY
    return ROLE_PERMISSIONS.get(role, frozenset())
