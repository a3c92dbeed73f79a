"""Who may be sent what: the policy's marketing rules as pure functions.

Why pure: the same decision serves the send-list filter (a million people
at a time), a single send and the preference center, and it must be easy to
test exhaustively. The facts are gathered elsewhere: for a send list by
:mod:`pledge.consent.sendlist`, for one person by :mod:`pledge.consent.ledger.person`.

The rules, in order (the first that applies names the reason):

1. ``erased``: the person had their data erased (a hashed suppression remains).
2. ``restricted``: an active restriction of processing (storage only).
3. ``objected``: an objection to this marketing purpose.
4. ``opted_out``: an opt-out or withdrawal, by rights request or in the ledger.
5. ``do_not_call``: the company do-not-call list (phone channel only).
6. ``unknown``: Pledge holds nothing about the address, so neither its
   jurisdiction nor a consent is known; suppressed under every rule.
7. ``no_consent``: the person lives where marketing needs consent first
   (``opt_in_marketing`` in the policy, or consent as the legal basis) and
   has not given it.

A consent given *after* an erasure, objection or opt-out (the person came
back and subscribed again) lifts those reasons; a restriction is lifted only
by the rights process. Service messages are always allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

REASONS = (
    "erased",
    "restricted",
    "objected",
    "opted_out",
    "do_not_call",
    "unknown",
    "no_consent",
)
"""Every reason a marketing filter may give, in the order the rules test them."""

MessageKind = Literal["marketing", "service"]


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about one address for one purpose and channel."""

    known: bool = False
    opt_in: bool = False
    """The person's jurisdiction needs consent before marketing."""
    granted: bool | None = None
    """The latest ledger event for this purpose and channel; None when there is none."""
    state_at: datetime | None = None
    erased_at: datetime | None = None
    restricted: bool = False
    objected_at: datetime | None = None
    opted_out_at: datetime | None = None
    do_not_call: bool = False


UNKNOWN = Facts()


def _lifted_by_later_consent(facts: Facts, since: datetime | None) -> bool:
    return (
        facts.granted is True
        and facts.state_at is not None
        and since is not None
        and facts.state_at > since
    )


def marketing_verdict(facts: Facts) -> str | None:
    """The reason a marketing message must not be sent, or None when it may be."""
    if facts.erased_at is not None and not _lifted_by_later_consent(facts, facts.erased_at):
        return "erased"
    if facts.restricted:
        return "restricted"
    if facts.objected_at is not None and not _lifted_by_later_consent(facts, facts.objected_at):
        return "objected"
    if facts.opted_out_at is not None and not _lifted_by_later_consent(facts, facts.opted_out_at):
        return "opted_out"
    if facts.granted is False:
        return "opted_out"
    if facts.do_not_call:
        return "do_not_call"
    if not facts.known:
        return "unknown"
    if facts.opt_in and facts.granted is not True:
        return "no_consent"
    return None


def verdict(kind: MessageKind, facts: Facts) -> str | None:
    """Service messages (answers to requests, account notices) are always allowed."""
    if kind == "service":
        return None
    return marketing_verdict(facts)
