"""The careers form names an open position once the recruiting team manages positions, so
that closing the position settles every application; with none opened it stays free text."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.recruiting.positions import close_position, open_position
from tests.integration.smtp_server import SmtpServer
from tests.recruiting.conftest import application_ids, apply
from tests.site_forms.helpers import NOTHING, careers, confirmation_link, contact, counts, pdf


def _send(client: TestClient, pledge: Pledge, path: str, **changes: Any) -> Any:
    changes.setdefault("email", "pos@example.org")
    body = careers(pledge, **changes)
    return client.post(path, data=body, files={"resume": ("cv.pdf", pdf(), "application/pdf")})


def _position_field(client: TestClient) -> dict[str, Any]:
    form = client.get("/api/v1/forms/careers").json()
    return next(f for f in form["fields"] if f["name"] == "position")


def test_without_positions_the_field_is_free_text(pledge: Pledge, client: TestClient) -> None:
    assert "choices" not in _position_field(client)
    assert apply(client, pledge, "free@example.org", position="Job ad 12") in application_ids(
        pledge
    )


def test_the_form_offers_the_open_positions_and_refuses_any_other(
    pledge: Pledge, client: TestClient
) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    open_position(pledge, "design-2027", "Designer", actor="test")
    close_position(pledge, "design-2027", actor="test")

    field = _position_field(client)
    assert field["choices"] == [{"value": "backend-2027", "label": "Backend engineer"}]
    assert field["required"] is True
    for wrong in ("design-2027", "", "nothing-like-it", "backend-2027\u0000"):
        answer = _send(client, pledge, "/api/v1/forms/careers", position=wrong)
        assert answer.status_code == 422, (wrong, answer.text)
        assert "position" in answer.json()["error"]["fields"], wrong
    answer = _send(client, pledge, "/api/v1/forms/careers")  # no position at all
    assert answer.json()["error"]["fields"] == {"position": "Choose one of the open positions."}
    assert counts(pledge) == NOTHING

    record_id = apply(client, pledge, "spelt@example.org", position=" Backend-2027")
    close_position(pledge, "backend-2027", actor="test")
    assert record_id not in application_ids(pledge), "normalised, so the closing found it"


def test_the_page_shows_a_list_and_the_message_beside_it(
    pledge: Pledge, client: TestClient
) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    page = client.get("/forms/careers")
    assert '<select id="position" name="position" required' in page.text
    assert '<option value="backend-2027">Backend engineer</option>' in page.text
    refused = _send(client, pledge, "/forms/careers", position="frontend", email="x@example.org")
    assert refused.status_code == 422
    assert 'id="position-error"' in refused.text
    german = client.post(
        "/forms/careers",
        data=careers(pledge, email="de@example.org", position="frontend"),
        files={"resume": ("cv.pdf", pdf(), "application/pdf")},
        headers={"Accept-Language": "de"},
    )
    assert "Wählen Sie eine der offenen Stellen." in german.text
    assert counts(pledge) == NOTHING


def test_when_every_position_is_closed_the_form_says_so(pledge: Pledge, client: TestClient) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    close_position(pledge, "backend-2027", actor="test")
    assert _position_field(client)["choices"] == []
    answer = _send(client, pledge, "/api/v1/forms/careers", position="backend-2027")
    assert answer.json()["error"]["fields"] == {"position": "No position is open at the moment."}
    assert counts(pledge) == NOTHING


def test_an_application_confirmed_after_its_position_closed_is_not_kept(
    mailer: Pledge, client: TestClient, smtp: SmtpServer
) -> None:
    """A known person claiming another country waits for the mailed link; if the position
    closes meanwhile, the click keeps nothing (the closing would have deleted it)."""
    known = contact(mailer, email="held.applicant@example.org", country="DE")
    assert client.post("/api/v1/forms/contact", json=known).status_code == 201
    open_position(mailer, "ops-2027", "Operations", actor="test")
    body = careers(mailer, email="held.applicant@example.org", country="US", position="ops-2027")
    sent = client.post(
        "/api/v1/forms/careers", data=body, files={"resume": ("cv.pdf", pdf(), "application/pdf")}
    )
    assert sent.status_code == 201
    path = confirmation_link(mailer, smtp, "held.applicant@example.org")
    close_position(mailer, "ops-2027", actor="test")
    pressed = client.post(path)
    assert pressed.status_code == 404
    assert "does not work" in pressed.text
    assert application_ids(mailer) == set()
