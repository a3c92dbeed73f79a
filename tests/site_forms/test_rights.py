"""A résumé sent with the careers form is in the person's access package and erased with them."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.records.service import records_for_email
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import ask, confirm, mailed_code
from tests.site_forms.helpers import careers, pdf
from tests.web.conftest import auth

EMAIL = "ada.applies@example.org"
PHONE = "+33 6 12 34 56 78"


def _apply(client: TestClient, pledge: Pledge) -> None:
    response = client.post(
        "/api/v1/forms/careers",
        data=careers(pledge, phone=PHONE),
        files={"resume": ("cv.pdf", pdf(), "application/pdf")},
    )
    assert response.status_code == 201, response.text


def _run(client: TestClient, pledge: Pledge, smtp: SmtpServer, kind: str) -> dict[str, str]:
    request = ask(client, type=kind, email=EMAIL, country="FR", match={"phone": PHONE})
    done = confirm(client, request, mailed_code(pledge, smtp, EMAIL))
    assert done["status"] == "completed", done
    return {**done, "token": request["token"]}


def test_the_resume_is_in_the_access_package(
    mailer: Pledge, smtp: SmtpServer, client: TestClient
) -> None:
    _apply(client, mailer)
    done = _run(client, mailer, smtp, "access")
    package = client.get(f"/api/v1/requests/{done['id']}/package", headers=auth(done["token"]))
    assert package.status_code == 200, package.text
    assert base64.b64encode(pdf()).decode() in package.text


def test_the_resume_is_erased_with_the_person(
    mailer: Pledge, smtp: SmtpServer, client: TestClient
) -> None:
    _apply(client, mailer)
    assert records_for_email(mailer, EMAIL)
    _run(client, mailer, smtp, "erasure")
    assert records_for_email(mailer, EMAIL) == []
