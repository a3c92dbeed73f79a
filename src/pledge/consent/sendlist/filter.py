"""The send-list filter: who may receive marketing, and why each other address may not.

Set-based by design: a send list of a million addresses is hashed in Python
(blind indexes) and matched against the ``marketing_reach`` projection, the
hashed suppressions and restrictions of the rights process and the
do-not-call list in a handful of queries whatever the list's length, never
one per address (:mod:`pledge.consent.sendlist.matching`). The decision
itself is :func:`pledge.consent.rules.marketing_verdict`, taken once per
distinct set of facts. One person is not a send list: pages and single sends
ask :mod:`pledge.consent.ledger.person` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import compress, count
from typing import Any

import orjson
from pydantic import BaseModel

from pledge.consent.ledger.coverage import ensure_coverage
from pledge.consent.rules import Facts, marketing_purpose, marketing_verdict
from pledge.consent.sendlist.masks import Target, facts_of_mask, target
from pledge.consent.sendlist.matching import (
    Packed,
    SendListFacts,
    Strategy,
    choose,
    key_table,
    masks_from_table,
    match,
    read_projection,
)
from pledge.core import Pledge
from pledge.crypto import KeyManager


class SuppressedOut(BaseModel):
    """One address the filter stopped, and the first rule that applies."""

    email: str
    reason: str
    """One of :data:`pledge.consent.rules.REASONS`."""


class FilterOut(BaseModel):
    """``POST /api/v1/marketing/filter``: the schema of the answer.

    Documentation only: the route sends :meth:`FilterResult.as_json_bytes`,
    encoded in one pass (a million entries would take far longer through
    these models).
    """

    allowed: list[str]
    suppressed: list[SuppressedOut]


@dataclass(frozen=True)
class FilterResult:
    """Allowed addresses and suppressed ones with their reason, in the order given."""

    allowed: list[str] = field(default_factory=list)
    suppressed: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "suppressed": [{"email": e, "reason": r} for e, r in self.suppressed],
        }

    def as_json_bytes(self) -> bytes:
        """The same as compact UTF-8 JSON, by orjson.

        orjson encodes a million entries several times faster than the
        standard library's encoder, byte for byte the same output (figures
        in docs/consent.md).
        """
        return orjson.dumps(self.as_json())


def email_digests(keys: KeyManager, emails: Iterable[str]) -> list[bytes]:
    """The raw 32-byte blind indexes (``bytes.fromhex(keys.blind_index("email", e))``)."""
    return keys.email_index_digests(emails)


def email_indexes(keys: KeyManager, emails: Sequence[str]) -> list[str]:
    """Blind indexes of many e-mails, equal to ``keys.blind_index("email", e)`` for each."""
    return [digest.hex() for digest in keys.email_index_digests(emails)]


def filter_recipients(
    pledge: Pledge,
    channel: str,
    recipients: Sequence[str],
    purpose: str | None = None,
    *,
    strategy: Strategy = "auto",
) -> FilterResult:
    """Split a send list into allowed and suppressed addresses (duplicates collapsed)."""
    chosen = marketing_purpose(pledge.policy, purpose, channel)
    goal = target(pledge.policy, chosen.id, channel)
    ensure_coverage(pledge, [chosen.id])
    if strategy == "auto":
        with pledge.sessions() as session:
            strategy = choose(session, len(recipients))
    if strategy == "pull":
        unique, digests, facts = _pulled(pledge, goal, recipients)
    else:
        unique = unique_in_order(recipients)
        digests = email_digests(pledge.keys, unique)
        with pledge.sessions() as session:
            facts = match(session, goal, digests)
    return _decide(unique, digests, facts)


def _pulled(
    pledge: Pledge, goal: Target, recipients: Sequence[str]
) -> tuple[list[str], list[bytes], SendListFacts]:
    """Read the projection in a second thread while this one hashes the list.

    The database works (and the driver waits on the socket, without the GIL)
    while Python computes a million HMACs: the two overlap on two cores. The
    keys arrive first; this thread turns them into a look-up table while the
    other still reads the rare facts.
    """
    packed: Future[Packed] = Future()

    def read() -> dict[bytes, Facts]:
        with pledge.sessions() as session:  # connects lazily, inside read_projection
            return read_projection(session, goal, packed)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pledge-filter") as pool:
        special = pool.submit(read)
        unique = unique_in_order(recipients)
        digests = email_digests(pledge.keys, unique)
        masks = masks_from_table(key_table(packed.result()), digests)
        return unique, digests, SendListFacts(masks, special.result())


def unique_in_order(recipients: Sequence[str]) -> list[str]:
    """The list without repeats, first occurrence kept; a copy of it when it has none.

    A set only counts, at about half the price of the ordered dict, and send
    lists usually come deduplicated (docs/consent.md has the figures).
    """
    if len(set(recipients)) == len(recipients):
        return list(recipients)
    return list(dict.fromkeys(recipients))


def _decide(unique: list[str], digests: list[bytes], facts: SendListFacts) -> FilterResult:
    """Each address's verdict, in the list's order, without a Python step per address.

    Every address gets a one-byte verdict code (0: allowed, else a reason's
    number): the at most sixteen masks are decided once by the rules and
    mapped to codes with ``bytes.translate``; the few addresses with rare
    facts are decided one by one; the allowed and suppressed lists are then
    drawn with ``itertools.compress``: the loops run in C, several times
    faster than the loop over addresses it replaces (figures in docs/consent.md).
    """
    if len(facts.masks) != len(unique):
        raise RuntimeError("one mask per address expected")
    reasons = [""]  # code → reason; code 0 is "allowed"
    codes: dict[str | None, int] = {None: 0}

    def code(reason: str | None) -> int:
        if reason not in codes:
            codes[reason] = len(reasons)
            reasons.append(str(reason))
        return codes[reason]

    by_mask = bytes(code(marketing_verdict(facts_of_mask(m))) for m in range(16)).ljust(256, b"\0")
    verdict = bytearray(bytes(facts.masks).translate(by_mask))
    special = facts.special
    if special:
        for n in compress(count(), map(special.__contains__, digests)):
            verdict[n] = code(marketing_verdict(special[digests[n]]))
    allowed = list(compress(unique, verdict.translate(_ZERO_IS_ONE)))
    named = map(reasons.__getitem__, filter(None, verdict))
    suppressed = list(zip(compress(unique, verdict), named, strict=True))
    return FilterResult(allowed, suppressed)


_ZERO_IS_ONE = b"\1".ljust(256, b"\0")
"""A ``bytes.translate`` table: 1 for code 0 (allowed), 0 for every reason."""
