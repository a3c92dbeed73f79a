"""Nothing personal reaches the logs, whatever happens to a request."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import auth
from tests.web.test_records_api import contact_record

EMAIL = "quentin.private@example.org"


def test_logs_hold_no_personal_data(
    client: TestClient, system_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = contact_record(EMAIL)
    assert client.post("/api/v1/records", json=good, headers=auth(system_key)).status_code == 201
    bad = contact_record(EMAIL, data={"email": "not-an-address", "shoe_size": 44})
    response = client.post("/api/v1/records", json=bad, headers=auth(system_key))
    assert response.status_code == 422
    assert "not-an-address" not in response.text
    assert EMAIL not in response.text
    batch = {"records": [contact_record(EMAIL), contact_record(EMAIL, category="nope")]}
    client.post("/api/v1/records", json=batch, headers=auth(system_key))
    for value in (EMAIL, "not-an-address", "Ada", "Analytical Engines"):
        assert value not in caplog.text
