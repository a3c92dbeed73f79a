"""Consent, marketing and cookies: choices that are recorded, provable and obeyed.

Three parts, each a subpackage, and what serves people at the top:

- :mod:`pledge.consent.rules`: who may be sent what, as pure functions.
- :mod:`pledge.consent.ledger`: consent acts recorded and proven, their
  projections, and what they say about one person.
- :mod:`pledge.consent.sendlist`: the send-list filter, a million addresses at a time.
- :mod:`.cookies` (the banner), :mod:`.unsubscribe` (marketing mail, its link and the
  preference center), :mod:`.do_not_call`, and :mod:`.schemas` (the input shapes).

The public API; the web routes, the command line and tests call only these.
"""

from pledge.consent.cookies import (
    STRINGS,
    BannerConfig,
    CookieChoiceOut,
    banner_config,
    banner_version,
    record_cookie_choice,
)
from pledge.consent.do_not_call import DoNotCallAdded, add_do_not_call
from pledge.consent.ledger import (
    ChannelVerdict,
    ConsentHistory,
    Recorded,
    consent_history,
    marketing_state,
    may_send_marketing,
    rebuild_states,
    record_consent,
)
from pledge.consent.ledger.acts import RecordedOut
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
from pledge.consent.sendlist import (
    FilterOut,
    FilterResult,
    Strategy,
    email_indexes,
    filter_recipients,
)
from pledge.consent.unsubscribe import (
    LinkTarget,
    Queued,
    Topic,
    Visit,
    make_token,
    one_click,
    preferences,
    read_token,
    render_marketing_mail,
    save_preferences,
    send_marketing,
    unsubscribe_from_all,
)

__all__ = [
    "REASONS",
    "STRINGS",
    "BannerConfig",
    "ChannelVerdict",
    "ConsentHistory",
    "ConsentIn",
    "CookieChoiceIn",
    "CookieChoiceOut",
    "DoNotCallAdded",
    "DoNotCallIn",
    "EmailQueryIn",
    "EvidenceIn",
    "Facts",
    "FilterIn",
    "FilterOut",
    "FilterResult",
    "LinkTarget",
    "Queued",
    "Recorded",
    "RecordedOut",
    "SendIn",
    "Strategy",
    "Topic",
    "Visit",
    "add_do_not_call",
    "banner_config",
    "banner_version",
    "consent_history",
    "email_indexes",
    "filter_recipients",
    "make_token",
    "marketing_state",
    "marketing_verdict",
    "may_send_marketing",
    "one_click",
    "preferences",
    "read_token",
    "rebuild_states",
    "record_consent",
    "record_cookie_choice",
    "render_marketing_mail",
    "save_preferences",
    "send_marketing",
    "unsubscribe_from_all",
    "verdict",
]
