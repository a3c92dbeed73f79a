"""Registering Clients and recognising their keys."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from pledge import audit
from pledge.access.api_keys import CLIENT_KEY_PREFIX, hash_key
from pledge.core import Pledge
from pledge.db.models import Client, WebhookDelivery
from pledge.delivery import Kind, WebhookGuard, circuit_states
from pledge.errors import Conflict, NotFound, ValidationFailed
from pledge.service_data.instructions import STORED, Instructions
from pledge.service_data.schemas import ClientSummary, WebhookCircuit


def create_client(
    pledge: Pledge, *, name: str, instructions: Instructions, actor: str
) -> tuple[str, str]:
    """Register a Client; returns ``(client id, API key)``. The key is shown only once."""
    name = name.strip()
    if not name:
        raise ValidationFailed("name must not be empty", fields={"name": "empty"})
    check_webhook_url(pledge, instructions)
    key = CLIENT_KEY_PREFIX + secrets.token_urlsafe(32)
    secret = instructions.webhook_secret
    with pledge.transaction() as session:
        if session.scalar(select(Client.id).where(Client.name == name)) is not None:
            raise Conflict("a Client with this name exists", fields={"name": "taken"})
        client = Client(name=name, key_hash=hash_key(key), instructions=instructions.public())
        session.add(client)
        session.flush()
        if secret:
            client.webhook_secret = pledge.keys.encrypt_system(secret, f"client-secret:{client.id}")
        audit.append(
            session,
            action="client.created",
            actor=actor,
            object_type="client",
            object_id=client.id,
            details={"fields": [f.field for f in instructions.collect], "name": name},
        )
        client_id = client.id
    return client_id, key


def check_webhook_url(pledge: Pledge, instructions: Instructions) -> None:
    """A Client's webhook must be https to a public host (issue #11, item 12).

    Checked here, where every face registers a Client, and again at every connection
    (:class:`pledge.delivery.WebhookGuard`), which also pins the address it checked.
    Plain http and local addresses only for hosts in ``PLEDGE_WEBHOOK_ALLOW_HOSTS``.
    """
    if instructions.webhook_url is None:
        return
    guard = WebhookGuard.from_settings(pledge.settings)
    problem = guard.url_problem(str(instructions.webhook_url), resolve=True)
    if problem:
        raise ValidationFailed(
            "the webhook URL is not allowed", fields={"instructions.webhook_url": problem}
        )


def load_client(pledge: Pledge, client_id: str) -> tuple[Client, Instructions, str | None]:
    """The Client row, its instructions and its decrypted webhook secret."""
    with pledge.sessions() as session:
        client = session.get(Client, client_id)
    if client is None:
        raise NotFound("no such Client")
    secret = (
        pledge.keys.decrypt_system(client.webhook_secret, f"client-secret:{client.id}")
        if client.webhook_secret
        else None
    )
    instructions = Instructions.model_validate(
        {**client.instructions, "webhook_secret": secret}, context={STORED: True}
    )
    return client, instructions, secret


def list_clients(pledge: Pledge) -> list[ClientSummary]:
    """Every Client with its instructions (never the secret) and delivery counts per status."""
    with pledge.sessions() as session:
        clients = session.scalars(select(Client).order_by(Client.name)).all()
        counts = session.execute(
            select(WebhookDelivery.client_id, WebhookDelivery.status, func.count()).group_by(
                WebhookDelivery.client_id, WebhookDelivery.status
            )
        ).all()
    per_client: dict[str, dict[str, int]] = {}
    for client_id, status, count in counts:
        per_client.setdefault(client_id, {})[status] = count
    circuits = {
        view.target: WebhookCircuit(
            state=view.state,
            failures=view.failures,
            open_until=view.open_until if view.state != "closed" else None,
        )
        for view in circuit_states(pledge, kind=Kind.CLIENT_WEBHOOK)
    }
    return [
        ClientSummary(
            id=c.id,
            name=c.name,
            instructions=c.instructions,
            deliveries=per_client.get(c.id, {}),
            **({"webhook_circuit": circuits[c.id]} if c.id in circuits else {}),
        )
        for c in clients
    ]
