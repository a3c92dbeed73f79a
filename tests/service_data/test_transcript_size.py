"""A Client key cannot buy unbounded CPU: transcripts are capped, and detection is near-linear.

Issue #11, item 7: span merging was quadratic, and a 5 MB body would have taken tens
of minutes of CPU. ``PLEDGE_MAX_TRANSCRIPT_CHARS`` (200,000 by default) now bounds a
conversation before any detection runs.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import Conversation
from pledge.service_data.ingestion import process
from pledge.service_data.schemas import Turn
from pledge.settings import Settings
from tests.service_data.conftest import conversation, instructions, make_client
from tests.web.conftest import auth


def test_the_default_cap_is_200000_characters() -> None:
    assert Settings(database_url="sqlite:///x.db").max_transcript_chars == 200_000


def test_a_transcript_over_the_cap_is_refused_naming_turns(
    pledge: Pledge, client: TestClient
) -> None:
    acme = make_client(pledge, "Acme")
    pledge.settings.max_transcript_chars = 2_000
    body = conversation()
    body["turns"].append({"speaker": "customer", "text": "x" * 2_000})
    response = client.post("/api/v1/service/conversations", json=body, headers=auth(acme.key))
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert "turns" in error["fields"]
    with pledge.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0
    fits = client.post("/api/v1/service/conversations", json=conversation(), headers=auth(acme.key))
    assert fits.status_code == 201


def test_the_longest_accepted_conversation_is_processed_fast() -> None:
    """2,000 turns of 200,000 characters, dense with values: seconds before, well under now."""
    turns = [
        Turn(
            speaker="customer" if n % 2 else "agent",
            text=" ".join(f"a{n}x{m}@b.io" for m in range(7)),
        )
        for n in range(2_000)
    ]
    assert sum(len(t.speaker) + len(t.text) + 3 for t in turns) <= 200_000
    started = time.perf_counter()
    result = process(instructions(), turns)
    elapsed = time.perf_counter() - started
    assert sum(result.labels.values()) == 14_000
    assert "@" not in "".join(turn["text"] for turn in result.turns)
    assert elapsed < 4, f"{elapsed:.1f} s"
