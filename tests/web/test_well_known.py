"""``/.well-known/gpc.json`` (Global Privacy Control) and ``/.well-known/security.txt``
(RFC 9116), both generated from the policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from pledge.core import Pledge
from pledge.db.models import PolicyVersion
from pledge.startup import register_policy_version

FIELD = re.compile(r"^([A-Za-z-]+): (\S.*)$")


def test_gpc_json_says_the_site_honours_gpc(pledge: Pledge, client: TestClient) -> None:
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"gpc", "lastUpdate"}
    assert body["gpc"] is True
    with pledge.sessions() as session:
        row = session.get(PolicyVersion, pledge.policy.digest)
    assert row is not None
    assert date.fromisoformat(body["lastUpdate"]) == row.first_loaded_at.date()


def test_gpc_last_update_is_the_registered_date_of_the_policy_in_force(
    pledge: Pledge, client: TestClient
) -> None:
    with pledge.transaction() as session:
        session.execute(
            update(PolicyVersion)
            .where(PolicyVersion.digest == pledge.policy.digest)
            .values(first_loaded_at=datetime(2024, 3, 1, 12, tzinfo=UTC))
        )
    assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == "2024-03-01"


@pytest.fixture
def edited_policy(pledge: Pledge) -> Iterator[None]:
    """The policy after an edit (a new digest), restored afterwards."""
    original = pledge.policy
    pledge.__dict__["policy"] = original.model_copy(
        update={"digest": "0" * 64, "honours_do_not_track": True}
    )
    try:
        yield
    finally:
        pledge.__dict__["policy"] = original


def test_an_edited_policy_moves_the_gpc_date_once_registered(
    pledge: Pledge, client: TestClient, edited_policy: None
) -> None:
    with pledge.transaction() as session:
        session.execute(
            update(PolicyVersion).values(first_loaded_at=datetime(2024, 3, 1, 12, tzinfo=UTC))
        )
    # not registered yet (as between an edit and the next start): the policy's own date
    assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == "2020-05-04"
    register_policy_version(pledge)
    today = datetime.now(UTC).date().isoformat()
    assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == today


def fields(text: str) -> dict[str, str]:
    assert text.endswith("\n")
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = FIELD.match(line)
        assert match is not None, line
        assert match.group(1) not in found, f"{match.group(1)} twice"
        found[match.group(1)] = match.group(2)
    return found


def test_security_txt_follows_rfc_9116(pledge: Pledge, client: TestClient) -> None:
    pledge.settings.base_url = "https://privacy.example.com/"
    before = datetime.now(UTC)
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    found = fields(response.text)
    assert found["Contact"] == "mailto:privacy_officer@interactions.com"
    assert found["Preferred-Languages"] == "en"
    assert found["Canonical"] == "https://privacy.example.com/.well-known/security.txt"
    assert found["Policy"] == "https://privacy.example.com/policy"
    expires = datetime.strptime(found["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before + timedelta(days=300) < expires <= before + timedelta(days=365)
    assert set(found) == {"Contact", "Expires", "Preferred-Languages", "Canonical", "Policy"}


def test_security_txt_contact_comes_from_the_policy(pledge: Pledge, client: TestClient) -> None:
    original = pledge.policy
    controller = original.controller.model_copy(
        update={"privacy_officer_email": "security@example.org"}
    )
    pledge.__dict__["policy"] = original.model_copy(
        update={"controller": controller, "language": "de"}
    )
    try:
        found = fields(client.get("/.well-known/security.txt").text)
    finally:
        pledge.__dict__["policy"] = original
    assert found["Contact"] == "mailto:security@example.org"
    assert found["Preferred-Languages"] == "de"
