from __future__ import annotations

from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import PHONE, ask, collect, confirm, mailed_code
from tests.web.conftest import auth


def test_access_end_to_end(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    request = ask(web, match={"phone": PHONE})
    assert request["status"] == "pending_verification"
    code = mailed_code(mailer, smtp)
    done = confirm(web, request, code)
    assert done["status"] == "completed", done
    package = web.get(f"/api/v1/requests/{request['id']}/package", headers=auth(request["token"]))
    assert package.status_code == 200, package.text
    print(package.json())
