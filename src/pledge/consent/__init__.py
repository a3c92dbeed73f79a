"""Consent, marketing and cookies: choices that are recorded, provable and obeyed.

The public API; the web routes and tests call only these.
"""

from pledge.consent.acts import Recorded
from pledge.consent.cookies import STRINGS, banner_config, banner_version, record_cookie_choice
from pledge.consent.history import consent_history, marketing_state
from pledge.consent.ledger import record_consent
from pledge.consent.marketing import (
    FilterResult,
    add_do_not_call,
    email_indexes,
    filter_recipients,
    is_allowed,
)
from pledge.consent.projections import rebuild_states
from pledge.consent.rules import REASONS, Facts, marketing_verdict, verdict
from pledge.consent.schemas import (
    ConsentIn,
    CookieChoiceIn,
    DoNotCallIn,
    EmailQueryIn,
    EvidenceIn,
    FilterIn,
    SendIn,
)
from pledge.consent.unsubscribe import (
    LinkTarget,
    Visit,
    everything,
    make_token,
    one_click,
    preferences,
    read_token,
    render_marketing_mail,
    save_preferences,
    send_marketing,
)

__all__ = [
    "REASONS",
    "STRINGS",
    "ConsentIn",
    "CookieChoiceIn",
    "DoNotCallIn",
    "EmailQueryIn",
    "EvidenceIn",
    "Facts",
    "FilterIn",
    "FilterResult",
    "LinkTarget",
    "Recorded",
    "SendIn",
    "Visit",
    "add_do_not_call",
    "banner_config",
    "banner_version",
    "consent_history",
    "email_indexes",
    "everything",
    "filter_recipients",
    "is_allowed",
    "make_token",
    "marketing_state",
    "marketing_verdict",
    "one_click",
    "preferences",
    "read_token",
    "rebuild_states",
    "record_consent",
    "record_cookie_choice",
    "render_marketing_mail",
    "save_preferences",
    "send_marketing",
    "verdict",
]
