"""The send-list filter: a million addresses in a fixed number of statements.

Reads the ledger's ``marketing_reach`` projection and the rights process's
records in bulk, and decides with the rules; imports the rules and the
ledger's coverage, never the other way round.

- :mod:`.filter`: the entry point, :func:`filter_recipients`, and the decision per address.
- :mod:`.matching`: joining a list to the projection, pushed or pulled.
- :mod:`.masks`: the common facts of an address packed into a small integer.
- :mod:`.rare_facts`: erasure, objection, opt-out, restriction and do-not-call, for the few.
"""

from pledge.consent.sendlist.filter import (
    FilterOut,
    FilterResult,
    SuppressedOut,
    email_indexes,
    filter_recipients,
)
from pledge.consent.sendlist.matching import Strategy

__all__ = [
    "FilterOut",
    "FilterResult",
    "Strategy",
    "SuppressedOut",
    "email_indexes",
    "filter_recipients",
]
