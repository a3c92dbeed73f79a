"""Ingesting a conversation: detect, collect what was instructed, redact the rest.

The raw transcript lives only in memory during this call. The answer carries the
redacted turns; what is stored and forwarded is the collected fields, and the
redacted turns only when the Client's instructions say ``keep_transcript: true``
(issue #16): by default no turn text, redacted or not, is written anywhere.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import Conversation
from pledge.errors import PayloadTooLarge
from pledge.pii import Span, detect, redact
from pledge.service_data.clients import load_client
from pledge.service_data.customers import get_or_create_customer
from pledge.service_data.extraction import TurnSpan, extract, is_customer
from pledge.service_data.forwarding import queue_forwarding
from pledge.service_data.instructions import Instructions
from pledge.service_data.schemas import (
    ConversationIn,
    IngestedConversation,
    RedactedTurn,
    Turn,
)


@dataclass(frozen=True)
class Redacted:
    turns: list[dict[str, str]]
    collected: dict[str, str]
    labels: dict[str, int]


def join_turns(turns: list[Turn]) -> tuple[str, list[tuple[int, int]]]:
    """One transcript of ``speaker: text`` lines (the detector reads turns) and text ranges."""
    parts: list[str] = []
    ranges: list[tuple[int, int]] = []
    position = 0
    for turn in turns:
        prefix = f"{turn.speaker}: "
        start = position + len(prefix)
        parts.append(prefix + turn.text)
        ranges.append((start, start + len(turn.text)))
        position = start + len(turn.text) + 1
    return "\n".join(parts), ranges


def process(instructions: Instructions, turns: list[Turn]) -> Redacted:
    """Pure core of ingestion: spans per turn, collected fields, redacted turns."""
    transcript, ranges = join_turns(turns)
    spans = detect(transcript)
    per_turn: list[list[Span]] = [[] for _ in turns]
    found: list[TurnSpan] = []
    texts = [(start, end, index) for index, (start, end) in enumerate(ranges) if end > start]
    ends = [end for _start, end, _index in texts]
    for span in spans:
        hit = _turn_of(span, texts, ends)
        if hit is None:
            continue
        start, end, index = hit
        local = Span(max(span.start, start) - start, min(span.end, end) - start, span.label)
        per_turn[index].append(local)
        value = turns[index].text[local.start : local.end]
        found.append(TurnSpan(local, value, is_customer(turns[index].speaker)))
    collected, _used = extract(instructions, found)
    redacted = [
        {"speaker": turn.speaker, "text": redact(turn.text, per_turn[index])}
        for index, turn in enumerate(turns)
    ]
    labels = dict(Counter(span.label for span in spans))
    return Redacted(redacted, collected, labels)


def _turn_of(
    span: Span, texts: list[tuple[int, int, int]], ends: list[int]
) -> tuple[int, int, int] | None:
    """The first turn text the span overlaps, found by bisection: ``(start, end, turn)``.

    A scan of every turn per span made a transcript of 2,000 turns quadratic. ``texts``
    are the non-empty turns' ranges, disjoint and in order, so the first one ending after
    the span's start is the only candidate.
    """
    position = bisect_right(ends, span.start)
    if position == len(texts) or texts[position][0] >= span.end:
        return None
    return texts[position]


def check_size(conversation: ConversationIn, limit: int) -> None:
    """Refuse a transcript longer than ``limit`` characters before any detection runs.

    Detection is near-linear, but a Client key could still post megabytes of text per
    request; ``PLEDGE_MAX_TRANSCRIPT_CHARS`` bounds the CPU one request can take.
    """
    size = sum(len(turn.speaker) + len(turn.text) + 3 for turn in conversation.turns)
    if size > limit:
        raise PayloadTooLarge(
            "the conversation is too long",
            fields={"turns": f"at most {limit} characters in all, speakers included"},
        )


def ingest(
    pledge: Pledge, client_id: str, conversation: ConversationIn, *, now: datetime | None = None
) -> IngestedConversation:
    """Store the redacted conversation and queue the collected fields for the Client."""
    check_size(conversation, pledge.settings.max_transcript_chars)
    _client, instructions, _secret = load_client(pledge, client_id)
    result = process(instructions, conversation.turns)
    now = now or utcnow()
    try:
        return _store(pledge, client_id, instructions, conversation, result, now)
    except IntegrityError:
        # A first conversation of the same new customer was stored at the same moment.
        return _store(pledge, client_id, instructions, conversation, result, now)


def _store(
    pledge: Pledge,
    client_id: str,
    instructions: Instructions,
    conversation: ConversationIn,
    result: Redacted,
    now: datetime,
) -> IngestedConversation:
    keys = pledge.keys
    with pledge.transaction() as session:
        customer = get_or_create_customer(session, keys, client_id, conversation.customer.id)
        row_id = new_id()
        content = stored_content(instructions, result)
        session.add(
            Conversation(
                id=row_id,
                client_id=client_id,
                customer_id=customer.id,
                channel=conversation.channel,
                ciphertext=keys.encrypt_json(customer.data_key, content, f"conversation:{row_id}"),
                labels=result.labels,
                created_at=now,
                retain_until=now + timedelta(days=instructions.retention_days),
            )
        )
        forwarded = instructions.webhook_url is not None and not customer.restricted
        if forwarded:
            queue_forwarding(
                pledge,
                session,
                client_id=client_id,
                conversation_id=row_id,
                customer_id=customer.id,
                body=_webhook_body(instructions, conversation, row_id, result, now),
                now=now,
            )
        audit.append(
            session,
            action="service.conversation_stored",
            actor=f"client:{client_id}",
            object_type="conversation",
            object_id=row_id,
            details={
                "client_id": client_id,
                "collected_fields": sorted(result.collected),
                "redacted": result.labels,
                "forwarded": forwarded,
                "transcript_kept": instructions.keep_transcript,
            },
        )
    return IngestedConversation(
        id=row_id,
        collected=result.collected,
        turns=[RedactedTurn.model_validate(turn) for turn in result.turns],
        forwarded=forwarded,
        restricted=customer.restricted,
    )


def stored_content(instructions: Instructions, result: Redacted) -> dict[str, Any]:
    """What the conversation row seals: the collected fields, plus the redacted turns only
    when the Client asked to keep the transcript. The key's absence is how a reader tells
    a conversation whose transcript was not kept (rows stored before always have it)."""
    content: dict[str, Any] = {"collected": result.collected}
    if instructions.keep_transcript:
        content["turns"] = result.turns
    return content


def _webhook_body(
    instructions: Instructions,
    conversation: ConversationIn,
    conversation_id: str,
    result: Redacted,
    now: datetime,
) -> dict[str, Any]:
    """What the Client receives: its own customer id and the collected fields, and the
    redacted turns only when its instructions keep the transcript (the outbox holds this
    body until delivered, so it is one more copy the default must not make)."""
    body: dict[str, Any] = {
        "event": "conversation.collected",
        "conversation_id": conversation_id,
        "customer": {"id": conversation.customer.id},
        "channel": conversation.channel,
        "collected": result.collected,
        "created_at": now.isoformat(),
    }
    if instructions.keep_transcript:
        body["turns"] = result.turns
    return body
