"""What docs/operations.md says of revocation across server processes, measured on two app
instances over one database (each instance has its own key cache, as two processes do).

A key revoked, a Client disabled or a Client key rotated through instance A is refused by A
at once; instance B, which validated the key moments before, accepts it until its cache
entry runs out (``PLEDGE_API_KEY_CACHE_SECONDS``), and not a moment longer; with the cache
at 0, B refuses at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from pledge.access import create_api_key, revoke_api_key, rotate_client_key
from pledge.core import Pledge
from pledge.service_data.client_state import disable_client
from pledge.settings import Settings
from pledge.web.app import create_app
from tests.service_data.conftest import make_client
from tests.web.conftest import auth

TTL = 1.5


@pytest.fixture
def instance_b(pledge: Pledge, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """A second app on the same database, with a cache lifetime of its own."""
    ttl = getattr(request, "param", TTL)
    other = Pledge(pledge.settings.model_copy(update={"api_key_cache_seconds": ttl}))
    with TestClient(create_app(other), raise_server_exceptions=False) as http:
        yield http
    other.dispose()


def _api_status(http: TestClient, key: str) -> int:
    return http.get("/api/v1/consents", params={"email": "a@b.org"}, headers=auth(key)).status_code


def _client_status(http: TestClient, key: str) -> int:
    return http.get("/api/v1/service/deliveries", headers=auth(key)).status_code


def _refused_after(http: TestClient, key: str, status: Callable[[TestClient, str], int]) -> float:
    """Seconds until ``http`` refuses ``key``."""
    started = time.monotonic()
    while time.monotonic() - started < TTL + 3:
        if status(http, key) == 401:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("never refused")


def test_a_revoked_api_key_lives_on_in_another_process_for_the_cache_lifetime(
    pledge: Pledge, client: TestClient, instance_b: TestClient
) -> None:
    key_id, key = create_api_key(pledge, name="crm", role="system")
    assert _api_status(client, key) == _api_status(instance_b, key) == 200
    revoke_api_key(pledge, key_id, actor="test")  # through instance A
    assert _api_status(client, key) == 401
    assert _api_status(instance_b, key) == 200, "B still trusts its cache"
    waited = _refused_after(instance_b, key, _api_status)
    assert waited <= TTL + 0.5


def test_a_disabled_client_and_a_rotated_key_live_on_for_the_cache_lifetime(
    pledge: Pledge, client: TestClient, instance_b: TestClient
) -> None:
    acme = make_client(pledge, "Acme")
    assert _client_status(client, acme.key) == _client_status(instance_b, acme.key) == 200
    new_key = rotate_client_key(pledge, acme.id, actor="test")
    assert _client_status(client, acme.key) == 401
    assert _client_status(instance_b, acme.key) == 200, "B still trusts the old key"
    assert _refused_after(instance_b, acme.key, _client_status) <= TTL + 0.5

    assert _client_status(instance_b, new_key) == 200
    disable_client(pledge, acme.id, actor="test")
    assert _client_status(client, new_key) == 401
    assert _client_status(instance_b, new_key) == 200, "B still trusts its cache"
    assert _refused_after(instance_b, new_key, _client_status) <= TTL + 0.5


@pytest.mark.parametrize("instance_b", [0], indirect=True)
def test_without_the_cache_another_process_refuses_at_once(
    pledge: Pledge, instance_b: TestClient
) -> None:
    key_id, key = create_api_key(pledge, name="crm", role="system")
    acme = make_client(pledge, "Acme")
    assert _api_status(instance_b, key) == 200
    assert _client_status(instance_b, acme.key) == 200
    revoke_api_key(pledge, key_id, actor="test")
    disable_client(pledge, acme.id, actor="test")
    assert _api_status(instance_b, key) == 401
    assert _client_status(instance_b, acme.key) == 401


def test_the_default_lifetime_is_five_seconds() -> None:
    assert Settings().api_key_cache_seconds == 5
