"""The HTTP systems' protocol on the wire: request bodies, answers, and their mapping.

Why a module of pure functions: what a processor answers is untrusted input.
Every answer is parsed against a strict shape here (anything else is
``bad_answer``) and then mapped through the declaration, so only declared
collections and attributes ever reach Pledge; an attribute the processor
volunteers but the file does not name is dropped before anyone sees it.
The transport (:mod:`pledge.connectors.http`) and the callback reader
(:mod:`pledge.connectors.http_callbacks`) share these.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool, ValidationError

from pledge.connectors.base import CollectionReport, Identities, Row, SystemReport
from pledge.connectors.spec import CollectionSpec, Erase, SystemSpec

Action = Literal["identities", "export", "erase", "rectify", "restrict", "describe"]
WRITE_ACTIONS = frozenset({"erase", "rectify", "restrict"})

Key = str | int


class BadAnswer(Exception):
    """The processor's answer is not the JSON shape the protocol asks for."""


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


M = TypeVar("M", bound=_Answer)


class ExportedRow(_Answer):
    collection: str
    key: Key
    fields: dict[str, JsonValue] = {}


class ExportAnswer(_Answer):
    rows: list[ExportedRow]


class IdentitiesAnswer(_Answer):
    identities: dict[str, list[Key]]


class DescribeAnswer(_Answer):
    collections: dict[str, list[str]]
    hand_over: dict[str, list[str]] = {}
    """Hand-over kind the processor takes -> the attributes it accepts."""


class HandOverAnswer(_Answer):
    written: StrictBool
    """False: the processor already held this kind's application of that reference."""


class Counts(_Answer):
    rows: int = Field(default=0, ge=0)
    changed: int = Field(default=0, ge=0)
    deleted: int = Field(default=0, ge=0)


class ActionAnswer(_Answer):
    collections: dict[str, Counts]
    residual: int = Field(ge=0)


class Accepted(_Answer):
    status: Literal["accepted"]
    reference: str = Field(min_length=1, max_length=200)


def request_body(
    action: Action,
    identities: Mapping[str, list[str]],
    idempotency_key: str,
    *,
    corrections: Mapping[str, str] | None = None,
    callback_url: str | None = None,
) -> bytes:
    """The exact bytes that are signed and sent (compact, keys sorted)."""
    body: dict[str, Any] = {
        "action": action,
        "identities": dict(identities),
        "idempotency_key": idempotency_key,
    }
    if corrections:
        body["corrections"] = dict(corrections)
    if callback_url is not None:
        body["callback_url"] = callback_url
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


HandOverValue = str | int | float | bool | None
"""What a hand-over attribute carries: a JSON scalar (a file's bytes as base64 text)."""


def hand_over_body(
    kind: str, reference: str, fields: Mapping[str, HandOverValue], idempotency_key: str
) -> bytes:
    """The ``hand_over`` request's exact bytes: the application's declared attributes only."""
    body = {
        "action": "hand_over",
        "kind": kind,
        "reference": reference,
        "fields": dict(fields),
        "idempotency_key": idempotency_key,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def parse(model: type[M], body: bytes) -> M:
    """``body`` as ``model``; raises :class:`BadAnswer` (no value in the message)."""
    try:
        return model.model_validate_json(body)
    except ValidationError:
        raise BadAnswer(model.__name__) from None


def wire_identities(spec: SystemSpec, start: Identities) -> dict[str, list[str]]:
    """The identities this system is told: only the kinds its declaration names."""
    kinds = declared_kinds(spec)
    return {kind: sorted(values) for kind, values in start.items() if kind in kinds and values}


def declared_kinds(spec: SystemSpec) -> frozenset[str]:
    return frozenset(kind for c in spec.collections.values() for kind in c.identity)


def wire_corrections(spec: SystemSpec, corrections: Mapping[str, str]) -> dict[str, str]:
    """The corrections this system is told: only policy fields some declared attribute holds."""
    held = {f.policy_field(attr) for c in spec.collections.values() for attr, f in c.fields.items()}
    return {name: value for name, value in corrections.items() if name in held}


def found_identities(
    spec: SystemSpec, start: Identities, answer: IdentitiesAnswer
) -> dict[str, frozenset[str]]:
    """``start`` plus every value of a declared kind the processor found."""
    kinds = declared_kinds(spec)
    found = {kind: set(values) for kind, values in start.items()}
    for kind, values in answer.identities.items():
        if kind in kinds:
            found.setdefault(kind, set()).update(str(v) for v in values)
    return {kind: frozenset(values) for kind, values in found.items()}


def declared_rows(spec: SystemSpec, answer: ExportAnswer) -> Iterator[Row]:
    """The exported rows of declared collections, with declared attributes only, by category."""
    for exported in answer.rows:
        collection = spec.collections.get(exported.collection)
        if collection is None:
            continue
        by_category: dict[str, dict[str, Any]] = {}
        for attr, field in collection.fields.items():
            if attr in exported.fields:
                by_category.setdefault(field.category, {})[attr] = exported.fields[attr]
        yield Row(exported.collection, str(exported.key), by_category)


def held_values(
    collection: CollectionSpec, fields: Mapping[str, JsonValue], policy_field: str
) -> Iterator[str]:
    """Non-empty values, as text, of the attributes holding ``policy_field`` (or that identity)."""
    attrs = {a for a, f in collection.fields.items() if f.policy_field(a) == policy_field}
    if policy_field in collection.identity:
        attrs.add(collection.identity[policy_field])
    for attr in sorted(attrs):
        value = fields.get(attr)
        if value is not None and not isinstance(value, dict | list) and str(value) != "":
            yield str(value)


def left_over(collection: CollectionSpec, fields: Mapping[str, JsonValue]) -> int:
    """Declared, non-kept attributes of an exported row still holding a value after erasure.

    A ``mask`` attribute equal to its placeholder counts as erased; a row of a collection
    with a ``delete`` attribute should be gone, so each of its valued attributes is left."""
    deletes = any(f.erase is Erase.DELETE for f in collection.fields.values())
    count = 0
    for attr, field in collection.fields.items():
        value = fields.get(attr)
        if field.erase is Erase.KEEP or value is None or value == "":
            continue
        if field.erase is Erase.MASK and value == field.mask and not deletes:
            continue
        count += 1
    return count


def action_report(
    system_id: str,
    spec: SystemSpec,
    action: str,
    answer: ActionAnswer,
    corrections: Mapping[str, str] | None = None,
) -> SystemReport:
    """A write action's answer mapped through the declaration (undeclared collections dropped)."""
    report = SystemReport(system_id=system_id, action=action, residual=answer.residual)
    for name, counts in answer.collections.items():
        collection = spec.collections.get(name)
        if collection is None:
            continue
        report.collections[name] = CollectionReport(
            rows=counts.rows,
            changed=counts.changed,
            deleted=counts.deleted,
            fields=_written(collection, action, counts, corrections or {}),
            kept=_kept(collection) if action == "erase" and counts.rows else {},
        )
    return report


def _written(
    collection: CollectionSpec, action: str, counts: Counts, corrections: Mapping[str, str]
) -> list[str]:
    """The declared attributes the action wrote, when it changed or deleted anything."""
    if not (counts.changed or counts.deleted):
        return []
    if action == "erase":
        return sorted(a for a, f in collection.fields.items() if f.erase is not Erase.KEEP)
    if action == "rectify":
        return sorted(a for a, f in collection.fields.items() if f.policy_field(a) in corrections)
    if action == "restrict" and collection.restriction is not None:
        return [collection.restriction.column]
    return []


def _kept(collection: CollectionSpec) -> dict[str, str]:
    return {a: f.reason or "" for a, f in collection.fields.items() if f.erase is Erase.KEEP}


UNKNOWN_ATTRIBUTE = "the processor does not know this attribute"


def unknown_to_processor(spec: SystemSpec, answer: DescribeAnswer) -> Iterator[tuple[str, str]]:
    """``(location under the system, message)`` for each declared name the processor lacks."""
    for name, collection in spec.collections.items():
        known = answer.collections.get(name)
        if known is None:
            yield f"collections.{name}", "the processor does not know this collection"
            continue
        attrs = set(known)
        for attr in collection.fields:
            if attr not in attrs:
                yield (
                    f"collections.{name}.fields.{attr}",
                    "the processor does not know this attribute",
                )
        for kind, attr in collection.identity.items():
            if attr not in attrs:
                yield (
                    f"collections.{name}.identity.{kind}",
                    "the processor does not know this attribute",
                )
    for hand_over_kind, target in spec.hand_over.items():
        accepted = answer.hand_over.get(hand_over_kind)
        if accepted is None:
            yield f"hand_over.{hand_over_kind}", "the processor does not take this hand-over"
            continue
        for attr in target.columns:
            if attr not in accepted:
                yield f"hand_over.{hand_over_kind}.columns.{attr}", UNKNOWN_ATTRIBUTE
