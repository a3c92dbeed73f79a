"""The consent rules: who may be sent what, decided by pure functions.

Imports neither the ledger nor the send-list filter: both gather facts and
bring them here (:func:`marketing_verdict`), so one decision serves a million
addresses and one person alike.

- :mod:`.marketing`: the facts of one address and the verdict on them.
- :mod:`.jurisdictions`: where marketing needs consent first.
- :mod:`.purposes`: which marketing purpose a call means.
- :mod:`.rights`: which rights-process records stop marketing, as which fact.
- :mod:`.state`: the current state derived from the ledger's events.
"""

from pledge.consent.rules.jurisdictions import opt_in_jurisdictions
from pledge.consent.rules.marketing import (
    REASONS,
    UNKNOWN,
    Facts,
    MessageKind,
    marketing_verdict,
    verdict,
)
from pledge.consent.rules.purposes import marketing_purpose
from pledge.consent.rules.rights import restriction_kinds, suppression_field
from pledge.consent.rules.state import current_state

__all__ = [
    "REASONS",
    "UNKNOWN",
    "Facts",
    "MessageKind",
    "current_state",
    "marketing_purpose",
    "marketing_verdict",
    "opt_in_jurisdictions",
    "restriction_kinds",
    "suppression_field",
    "verdict",
]
