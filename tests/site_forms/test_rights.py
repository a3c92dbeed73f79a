"""A résumé sent with the careers form, under the rights: who may see it, and its erasure.

What a public form brings was typed by whoever typed the address: a phone
number given there never proves who asks, so it cannot unlock the résumé; a
second data point from elsewhere does. Erasing what only forms brought needs
only the mailbox.
"""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.records.service import records_for_email
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import PHONE as HELD_PHONE
from tests.rights.conftest import ask, collect, confirm, mailed_code
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


def _run(
    client: TestClient, pledge: Pledge, smtp: SmtpServer, kind: str, **extra: object
) -> dict[str, str]:
    request = ask(client, type=kind, email=EMAIL, country="FR", **extra)
    done = confirm(client, request, mailed_code(pledge, smtp, EMAIL))
    return {**done, "token": request["token"]}


def _package(client: TestClient, done: dict[str, str]) -> str:
    package = client.get(f"/api/v1/requests/{done['id']}/package", headers=auth(done["token"]))
    assert package.status_code == 200, package.text
    return package.text


def test_a_phone_typed_on_the_form_does_not_unlock_the_resume(
    mailer: Pledge, smtp: SmtpServer, client: TestClient
) -> None:
    _apply(client, mailer)
    done = _run(client, mailer, smtp, "access", match={"phone": PHONE})
    assert done["status"] == "completed", done
    assert base64.b64encode(pdf()).decode() not in _package(client, done)


def test_a_second_data_point_from_elsewhere_unlocks_the_resume(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    _apply(client, mailer)
    collect(client, system_key, email=EMAIL)  # the company's own system holds a phone
    done = _run(client, mailer, smtp, "access", match={"phone": HELD_PHONE})
    assert done["status"] == "completed", done
    assert base64.b64encode(pdf()).decode() in _package(client, done)


def test_what_only_forms_brought_is_erased_with_the_mailbox_alone(
    mailer: Pledge, smtp: SmtpServer, client: TestClient
) -> None:
    _apply(client, mailer)
    assert records_for_email(mailer, EMAIL)
    done = _run(client, mailer, smtp, "erasure")
    assert done["status"] == "completed", done
    assert records_for_email(mailer, EMAIL) == []


def test_data_from_elsewhere_still_needs_a_second_data_point_to_erase(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    _apply(client, mailer)
    collect(client, system_key, email=EMAIL)
    done = _run(client, mailer, smtp, "erasure")
    assert done["status"] == "denied", done
    assert len(records_for_email(mailer, EMAIL)) == 2
