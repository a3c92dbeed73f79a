"""Every action of an HTTP system through HttpConnector, against the example CRM (real HTTP,
a real SQLite file): identities, export, holds, erase, rectify, restrict, idempotency,
and the declaration as the only door (undeclared attributes and collections dropped)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from examples.processor import connect

from pledge.connectors.base import Row
from pledge.crypto.webhook_signing import verify
from tests.connectors.http_support import (
    ADA,
    CRM_YAML,
    SECRET,
    Crm,
    connector_at,
    crm_spec,
    recorder,
    rows,
    running_crm,
    stub,
)


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path / "crm.sqlite") as running:
        yield running


def _by_key(found: list[Row]) -> dict[tuple[str, str], Row]:
    return {(r.collection, r.key): r for r in found}


def test_identities_lead_through_the_phone_to_the_persons_other_contact(crm: Crm) -> None:
    found = crm.connector().identities(ADA)
    assert found["email"] == {"ada@example.org", "ada.work@example.org"}
    assert found["phone"] == {"+442071234567"}
    assert found["crm_contact_id"] == {"1", "3"}
    assert crm.connector().identities(found) == found


def test_export_gives_the_persons_rows_by_category_and_drops_undeclared_attributes(
    crm: Crm,
) -> None:
    found = _by_key(list(crm.connector().export(ADA)))
    assert set(found) == {("contacts", "1"), ("notes", "1")}
    contact = found["contacts", "1"].by_category
    assert contact == {
        "identification": {"email": "ada@example.org", "name": "Ada Lovelace"},
        "contact_details": {"phone": "+442071234567"},
    }
    assert "company" not in json.dumps(contact)
    assert found["notes", "1"].by_category == {"correspondence": {"text": "prefers e-mail"}}


def test_an_undeclared_collection_is_dropped_from_export_and_reports(crm: Crm) -> None:
    spec = crm_spec()
    only_contacts = spec.model_copy(
        update={"collections": {"contacts": spec.collections["contacts"]}}
    )
    connector = crm.connector(only_contacts)
    assert {r.collection for r in connector.export(ADA)} == {"contacts"}
    report = connector.erase(ADA, idempotency_key="erase-contacts-only")
    assert set(report.collections) == {"contacts"}


def test_holds_compares_in_pledge_with_the_callers_predicate(crm: Crm) -> None:
    connector = crm.connector()
    seen: list[str] = []

    def matches(value: str) -> bool:
        seen.append(value)
        return value.replace(" ", "") == "+442071234567"

    assert connector.holds(ADA, "phone", matches)
    assert not connector.holds(ADA, "phone", lambda value: value == "+12025550143")
    assert not connector.holds(ADA, "company", lambda value: True)
    assert seen == ["+442071234567"]


def test_erase_applies_the_processors_erasure_and_pledge_re_reads(crm: Crm) -> None:
    connector = crm.connector()
    person = connector.identities(ADA)
    report = connector.erase(person, idempotency_key="erase-ada")
    assert report.complete
    assert report.as_dict()["collections"] == {
        "contacts": {
            "rows": 2,
            "changed": 2,
            "deleted": 0,
            "fields": ["email", "name", "phone"],
            "kept": {},
        },
        "notes": {"rows": 2, "changed": 0, "deleted": 2, "fields": ["text"], "kept": {}},
    }
    left = rows(crm.db, "SELECT id, email, name, phone, company FROM contacts ORDER BY id")
    assert left == [
        (1, None, None, None, "Engines Ltd"),
        (2, "grace@example.org", "Grace Hopper", "+12025550143", "Compilers Inc"),
        (3, None, None, None, "Engines Ltd"),
    ]
    assert rows(crm.db, "SELECT id FROM notes") == [(3,)]


def test_keep_fields_are_reported_with_their_reason(crm: Crm) -> None:
    keep = "          company: {category: identification, erase: keep, reason: employer's}\n"
    kept = crm_spec(CRM_YAML.replace("      notes:\n", keep + "      notes:\n"))
    report = crm.connector(kept).erase(ADA, idempotency_key="erase-keep")
    assert report.collections["contacts"].kept == {"company": "employer's"}
    assert "company" not in report.collections["contacts"].fields
    assert report.residual == 0


def test_a_processor_that_says_done_but_left_values_is_not_complete() -> None:
    """Pledge re-reads after a synchronous erasure: a false "residual 0" does not complete it."""
    lying = {
        "collections": {"contacts": {"rows": 1, "changed": 1, "deleted": 0}},
        "residual": 0,
    }
    export = {
        "rows": [
            {
                "collection": "contacts",
                "key": 1,
                "fields": {"email": "ada@example.org", "name": "Ada"},
            }
        ]
    }

    def reply(body: bytes) -> object:
        return lying if json.loads(body)["action"] == "erase" else export

    with stub(lambda headers, body: (200, json.dumps(reply(body)).encode())) as url:
        report = connector_at(url).erase(ADA, idempotency_key="erase-lie")
    assert report.residual == 2
    assert not report.complete


def test_rectify_sends_only_the_fields_this_system_holds(crm: Crm) -> None:
    report = crm.connector().rectify(
        ADA, {"name": "Ada King", "address": "elsewhere"}, idempotency_key="fix-ada"
    )
    assert report.collections["contacts"].changed == 1
    assert report.collections["contacts"].fields == ["name"]
    assert rows(crm.db, "SELECT name FROM contacts WHERE id = 1") == [("Ada King",)]
    assert rows(crm.db, "SELECT name FROM contacts WHERE id = 2") == [("Grace Hopper",)]


def test_restrict_flags_the_persons_contacts(crm: Crm) -> None:
    report = crm.connector().restrict(ADA, idempotency_key="restrict-ada")
    assert report.collections["contacts"].changed == 1
    assert rows(crm.db, "SELECT id, restricted FROM contacts ORDER BY id") == [
        (1, 1),
        (2, 0),
        (3, 0),
    ]


def test_the_same_idempotency_key_acts_once(crm: Crm) -> None:
    connector = crm.connector()
    first = connector.rectify(ADA, {"name": "Ada King"}, idempotency_key="fix-once")
    with connect(crm.db) as conn:
        conn.execute("UPDATE contacts SET name = 'Changed meanwhile' WHERE id = 1")
    second = connector.rectify(ADA, {"name": "Ada King"}, idempotency_key="fix-once")
    assert second.as_dict() == first.as_dict()
    assert rows(crm.db, "SELECT name FROM contacts WHERE id = 1") == [("Changed meanwhile",)]
    third = connector.rectify(ADA, {"name": "Ada King"}, idempotency_key="fix-again")
    assert third.collections["contacts"].changed == 1
    assert rows(crm.db, "SELECT name FROM contacts WHERE id = 1") == [("Ada King",)]


def test_erasing_twice_with_the_same_key_answers_the_stored_result(crm: Crm) -> None:
    connector = crm.connector()
    first = connector.erase(ADA, idempotency_key="erase-twice")
    second = connector.erase(ADA, idempotency_key="erase-twice")
    assert first.as_dict() == second.as_dict()
    assert first.collections["contacts"].changed == 1


def test_requests_are_signed_keyed_and_tell_only_declared_identity_kinds() -> None:
    spec = crm_spec()
    contacts = spec.collections["contacts"].model_copy(update={"identity": {"email": "email"}})
    email_only = spec.model_copy(update={"collections": {"contacts": contacts}})
    answer = {"collections": {"contacts": {"rows": 1, "changed": 1}}, "residual": 0}
    with recorder(answer) as (url, received):
        person = {**ADA, "phone": frozenset({"+442071234567"})}
        connector_at(url, email_only).restrict(person, idempotency_key="restrict-1")
        headers, body = received.get(timeout=5)
    assert verify(SECRET, body, headers)
    assert headers["x-pledge-delivery"] == "restrict-1"
    sent = json.loads(body)
    assert sent["action"] == "restrict"
    assert sent["idempotency_key"] == "restrict-1"
    assert sent["identities"] == {"email": ["ada@example.org"]}
    assert "callback_url" not in sent


def test_a_person_without_a_declared_identity_kind_is_not_sent() -> None:
    """Nothing to ask: the processor is not told of someone it could not find anyway."""
    with recorder({}) as (url, received):
        connector = connector_at(url)
        person = {"shop_customer_id": frozenset({"42"})}
        assert list(connector.export(person)) == []
        assert connector.identities(person) == person
        assert connector.erase(person, idempotency_key="e").complete
        assert received.empty()


def test_reads_get_a_fresh_key_each_time() -> None:
    with recorder({"rows": []}) as (url, received):
        connector = connector_at(url)
        list(connector.export(ADA))
        list(connector.export(ADA))
        keys = [json.loads(received.get(timeout=5)[1])["idempotency_key"] for _ in range(2)]
    assert keys[0] != keys[1]


def test_the_crm_finds_an_email_whatever_its_case(crm: Crm) -> None:
    with connect(crm.db) as conn:
        conn.execute("INSERT INTO contacts (id, email, name) VALUES (9, 'Mixed@Example.org', 'M')")
    found = crm.connector().identities({"email": frozenset({"mixed@example.org"})})
    assert found["crm_contact_id"] == {"9"}


def test_the_example_refuses_a_length_it_cannot_trust_before_reading(crm: Crm) -> None:
    """A negative length would read until the sender stops: refused at once, unread."""
    host, port = crm.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
    for length in ("-1", "1e9", "١٢"):
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode())
            answer = conn.recv(4096)
        assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), length
