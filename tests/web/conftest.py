"""An HTTP client over the real app, and keys of each role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from pledge.access import create_api_key
from pledge.core import Pledge
from pledge.web.app import create_app


@pytest.fixture
def client(pledge: Pledge) -> Iterator[TestClient]:
    with TestClient(create_app(pledge), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def system_key(pledge: Pledge) -> str:
    return create_api_key(pledge, name="test-system", role="system")[1]


@pytest.fixture
def admin_key(pledge: Pledge) -> str:
    return create_api_key(pledge, name="test-admin", role="admin")[1]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
