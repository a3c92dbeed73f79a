"""The in-process API key cache: valid keys remembered briefly, revocation honoured."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from pledge.access import authenticate_key, create_api_key, revoke_api_key
from pledge.access.api_keys import hash_key, key_cache
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import ApiKey, AuditEntry
from pledge.errors import NotFound
from pledge.settings import Settings
from pledge.startup import upgrade_schema


def revoke_by_hand(pledge: Pledge, key_id: str) -> None:
    """What another process (or an operator in psql) does: the row only."""
    with pledge.transaction() as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=utcnow()))


def test_revoking_through_this_process_takes_effect_at_once(client: TestClient) -> None:
    pledge: Pledge = client.app.state.pledge  # type: ignore[attr-defined]
    key_id, key = create_api_key(pledge, name="crm", role="system")
    headers = {"Authorization": f"Bearer {key}"}
    assert (
        client.get("/api/v1/consents", params={"email": "a@b.org"}, headers=headers).status_code
        == 200
    )
    revoke_api_key(pledge, key_id, actor="test")
    assert (
        client.get("/api/v1/consents", params={"email": "a@b.org"}, headers=headers).status_code
        == 401
    )
    with pledge.sessions() as session:
        actions = [e.action for e in session.query(AuditEntry).filter_by(object_id=key_id)]
    assert actions == ["api_key.created", "api_key.revoked"]


def test_a_valid_key_is_remembered_for_the_cache_lifetime(pledge: Pledge) -> None:
    key_id, key = create_api_key(pledge, name="crm", role="system")
    assert authenticate_key(pledge, key) is not None
    revoke_by_hand(pledge, key_id)
    # Revoked elsewhere: still accepted from the cache until it expires (documented).
    assert authenticate_key(pledge, key) is not None
    key_cache(pledge).ttl = 0
    key_cache(pledge)._entries.clear()
    assert authenticate_key(pledge, key) is None


def test_without_cache_a_revocation_elsewhere_is_seen_at_once(settings: Settings) -> None:
    pledge = Pledge(settings.model_copy(update={"api_key_cache_seconds": 0}))
    upgrade_schema(pledge)
    try:
        key_id, key = create_api_key(pledge, name="crm", role="system")
        assert authenticate_key(pledge, key) is not None
        revoke_by_hand(pledge, key_id)
        assert authenticate_key(pledge, key) is None
    finally:
        pledge.dispose()


def test_a_lookup_that_raced_a_revocation_is_not_cached(pledge: Pledge) -> None:
    key_id, key = create_api_key(pledge, name="crm", role="system")
    principal = authenticate_key(pledge, key)
    assert principal is not None
    cache = key_cache(pledge)
    before = cache.generation
    cache.forget(key_id)  # a revocation lands while a lookup was reading the old row
    cache.put(hash_key(key), principal, before)
    assert cache.get(hash_key(key)) is None


def test_unknown_and_revoked_keys_are_never_cached(pledge: Pledge) -> None:
    assert authenticate_key(pledge, "pk_nope") is None
    key_id, key = create_api_key(pledge, name="crm", role="system")
    revoke_api_key(pledge, key_id)
    assert authenticate_key(pledge, key) is None
    assert key_cache(pledge).get(hash_key(key)) is None


def test_revoking_an_unknown_or_revoked_key_is_not_found(pledge: Pledge) -> None:
    key_id, _ = create_api_key(pledge, name="crm", role="system")
    revoke_api_key(pledge, key_id)
    for target in (key_id, "no-such-key"):
        try:
            revoke_api_key(pledge, target)
        except NotFound:
            continue
        raise AssertionError("expected NotFound")
