"""What operators see: `pledge outbox` in a real process, and the console's deliveries page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from pledge.console.accounts import create_user
from pledge.core import Pledge
from pledge.db.models import Delivery
from tests.delivery.conftest import TO, Hook, delivery, queue, queue_webhook
from tests.integration.test_cli import run
from tests.service_data.conftest import make_client
from tests.staff_accounts import PASSWORD, sign_in


def kill(pledge: Pledge, delivery_id: str) -> None:
    with pledge.transaction() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status="dead", attempts=30, last_error="recipient refused: server replied 550")
        )


def test_outbox_list_prints_each_mail_with_its_address(pledge: Pledge) -> None:
    first = queue(pledge)
    second = queue(pledge, to="another.person@example.org")
    result = run(pledge.settings, "outbox", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    (line,) = [line for line in lines if line.startswith(first)]
    delivery_id, status, created, address = line.split("  ")
    assert (delivery_id, status, address) == (first, "pending", TO)
    assert created.startswith(delivery(pledge, first).created_at.date().isoformat())
    assert any(
        line.startswith(second) and line.endswith("another.person@example.org") for line in lines
    )

    kill(pledge, second)
    dead = run(pledge.settings, "outbox", "list", "--status", "dead").stdout.splitlines()
    assert [line.split("  ")[0] for line in dead] == [second]
    assert run(pledge.settings, "outbox", "list", "--kind", "nothing").returncode == 1


def test_outbox_list_shows_other_kinds_by_target(pledge: Pledge, hook: Hook) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    webhook_id = queue_webhook(pledge, acme.id)
    queue(pledge)
    result = run(pledge.settings, "outbox", "list", "--kind", "all")
    assert f"{webhook_id}  pending  " in result.stdout
    assert f"client_webhook:{acme.id}" in result.stdout
    assert TO in result.stdout
    only_mail = run(pledge.settings, "outbox", "list").stdout
    assert webhook_id not in only_mail


def test_outbox_show_gives_metadata_and_never_the_address(pledge: Pledge) -> None:
    message_id = queue(pledge, template="verification_code")
    result = run(pledge.settings, "outbox", "show", message_id)
    assert result.returncode == 0, result.stderr
    assert f"id: {message_id}" in result.stdout
    assert "kind: email" in result.stdout
    assert "template: verification_code" in result.stdout
    assert "status: pending" in result.stdout
    assert TO not in result.stdout
    assert run(pledge.settings, "outbox", "show", "no-such-id").returncode == 1


def test_outbox_retry_revives_a_dead_letter_only(pledge: Pledge) -> None:
    message_id = queue(pledge)
    refused = run(pledge.settings, "outbox", "retry", message_id)
    assert refused.returncode == 1
    assert "only a dead delivery" in refused.stderr
    kill(pledge, message_id)
    result = run(pledge.settings, "outbox", "retry", message_id)
    assert result.returncode == 0, result.stderr
    row = delivery(pledge, message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert run(pledge.settings, "outbox", "retry", "no-such-id").returncode == 1


def test_the_deliveries_page_needs_a_staff_session(client: TestClient) -> None:
    response = client.get("/admin/deliveries", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"


def test_the_deliveries_page_shows_counts_and_dead_letters_without_addresses(
    pledge: Pledge, client: TestClient, hook: Hook
) -> None:
    create_user(pledge, email="staff@interactions.com", role="staff", password=PASSWORD, actor="t")
    acme = make_client(pledge, "Acme", hook.url)
    pending = queue(pledge)
    dead = queue(pledge, to="refused.person@example.org")
    kill(pledge, dead)
    webhook_id = queue_webhook(pledge, acme.id)
    assert sign_in(client, "staff@interactions.com") == 303
    page = client.get("/admin/deliveries")
    assert page.status_code == 200
    for shown in (pending, dead, webhook_id, acme.id, "recipient refused: server replied 550"):
        assert shown in page.text
    for hidden in (TO, "refused.person@example.org", "Body"):
        assert hidden not in page.text
    dead_section = page.text.split("<h2>Dead letters</h2>")[1].split("<h2>")[0]
    assert dead in dead_section
    assert pending not in dead_section
    filtered = client.get("/admin/deliveries", params={"kind": "client_webhook"})
    recent = filtered.text.split("<h2>Recent deliveries</h2>")[1]
    assert webhook_id in recent
    assert pending not in recent
