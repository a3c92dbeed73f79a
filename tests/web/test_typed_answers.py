"""Typing the answers changed no byte on the wire: each model passes its service's JSON through.

The rights service and the policy build their answers as dicts; the routes
now check them against models. Each model must give back exactly the dict
the service built (same keys, same strings), as FastAPI serialises it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from pydantic import BaseModel

from pledge import rights
from pledge.core import Pledge
from pledge.policy import policy_to_json
from pledge.rights.disclosures import DisclosureIn
from pledge.rights.views import QueueView
from pledge.web.api.rights_out import Package
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import PHONE, ask, collect, confirm, mailed_code
from tests.web.conftest import auth


def as_sent(model: type[BaseModel], answer: dict[str, Any]) -> Any:
    """What FastAPI sends for ``answer`` under ``response_model_exclude_unset``."""
    return model.model_validate(answer).model_dump(mode="json", by_alias=True, exclude_unset=True)


def plain(answer: dict[str, Any]) -> Any:
    return json.loads(json.dumps(answer))


def test_rights_answers_pass_through_their_models(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str, admin_key: str
) -> None:
    collect(client, system_key)
    asked = ask(client, match={"phone": PHONE})
    body = DisclosureIn.model_validate(
        {
            "subject": {"email": "wilhelmina.quartermaine@example.org"},
            "recipient": "hosting_providers",
            "categories": ["identification"],
            "purpose": "respond_to_requests",
        }
    )
    # logged before fulfilment: the package is a snapshot taken then
    logged = rights.record_disclosure(mailer, body, actor="test").model_dump(mode="json")
    assert logged["at"].endswith("+00:00")
    confirm(client, asked, mailed_code(mailer, smtp))
    view = rights.view(mailer, asked["id"], asked["token"]).model_dump(mode="json")
    assert view["received_at"].endswith("+00:00"), "times as isoformat(), as always"
    over_http = client.get(f"/api/v1/requests/{asked['id']}", headers=auth(asked["token"]))
    assert over_http.json() == view
    queue = QueueView(requests=rights.queue(mailer)).model_dump(mode="json")
    assert client.get("/api/v1/admin/requests", headers=auth(admin_key)).json() == queue
    package = rights.package(mailer, asked["id"], asked["token"])
    assert isinstance(package["categories"][0]["records"], list)
    assert as_sent(Package, package) == plain(package)
    assert any(r["disclosed_at"] for r in package["categories"][0]["recipients"])


def test_policy_json_is_unchanged(pledge: Pledge, client: TestClient) -> None:
    assert client.get("/api/v1/policy").json() == plain(policy_to_json(pledge.policy))
