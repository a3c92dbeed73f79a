"""The consent ledger: every act recorded and provable, and what it says about one person.

Imports the rules, never the send-list filter (which reads the ledger's
projections in bulk and may import from here).

- :mod:`.acts`: an act checked against the policy, with its proof (:mod:`.evidence`).
- :mod:`.record`: appending acts, their events, states and audit entries.
- :mod:`.writer` and :mod:`.pg_batches`: group commit for the consent API.
- :mod:`.projections`: ``consent_states`` and ``marketing_reach``, and their rebuild;
  :mod:`.coverage` keeps ``marketing_reach`` complete for every marketing purpose.
- :mod:`.history`: one person's events, current state and marketing verdicts.
- :mod:`.person`: one person's marketing facts in one statement, and the verdicts.
"""

from pledge.consent.ledger.acts import Recorded
from pledge.consent.ledger.history import ConsentHistory, EventOut, StateOut, consent_history
from pledge.consent.ledger.person import ChannelVerdict, marketing_state, may_send_marketing
from pledge.consent.ledger.projections import rebuild_states
from pledge.consent.ledger.record import record_consent

__all__ = [
    "ChannelVerdict",
    "ConsentHistory",
    "EventOut",
    "Recorded",
    "StateOut",
    "consent_history",
    "marketing_state",
    "may_send_marketing",
    "rebuild_states",
    "record_consent",
]
