"""Proving who asks: one-time codes, request tokens, second data points, agents.

Why HMACs and not argon2: codes and tokens are checked against one known
request row (never searched for), codes live 30 minutes and lock after 5
misses, and tokens are 256-bit random. A keyed HMAC under the system key
(``keys.sign``) makes a stolen table useless without the master key, at no
cost per request.

Second data points (``match``) are kept only as blind indexes, so a request
row never holds a phone number or postcode in clear, and compared with what
is held about the subject only after the e-mail code is right, so a wrong
guess reveals nothing to someone who does not own the address.

Only the verifiers the policy declares (``verification.verifiers``) count, and
never one that repeats the e-mail address: someone who reads the mailbox
knows the address, so ``match: {"email": <the address>}`` would prove nothing
the code has not (it was the bypass of issue #11). Intake refuses such points
(422 naming ``match.<field>``); verification ignores any that slipped in
before, so the request falls back to the e-mail level.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.crypto import KeyDestroyed, KeyManager
from pledge.db.models import Identity, SubjectKey
from pledge.errors import ValidationFailed
from pledge.policy import Verification
from pledge.records.schemas import SITE_FORM_SOURCE
from pledge.records.service import decrypted_records

__all__ = [
    "CODE_DIGITS",
    "CODE_LIFETIME",
    "MAX_FAILED_CODES",
    "PageSession",
    "check_agent",
    "check_match",
    "code_hash",
    "match_indexes",
    "matches_held_data",
    "new_code",
    "new_token",
    "page_token_hash",
    "repeats_address",
    "token_hash",
    "tokens_equal",
]

CODE_DIGITS = 8
CODE_LIFETIME = timedelta(minutes=30)
MAX_FAILED_CODES = 5
TOKEN_PREFIX = "rq_"  # noqa: S105 (a label, not a secret)
MIN_PERMISSION_CHARS = 20


def new_code() -> str:
    """A uniformly random code of :data:`CODE_DIGITS` digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(keys: KeyManager, request_id: str, code: str) -> str:
    """Keyed hash of a code, bound to its request so a code is useless on another."""
    return keys.sign(f"rights-code:{request_id}:{code.strip()}")


def new_token() -> str:
    """The bearer secret the requester (or their agent) uses to follow the request."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(keys: KeyManager, request_id: str, token: str) -> str:
    return keys.sign(f"rights-token:{request_id}:{token}")


@dataclass(frozen=True)
class PageSession:
    """The value of the cookie that keeps a browser signed in to one request's page.

    A type of its own, so a rights function told "this caller holds a page
    session" checks the session table, never the request token.
    """

    token: str


def page_token_hash(keys: KeyManager, request_id: str, token: str) -> str:
    """Keyed hash of a page session's cookie, bound to its request: useless on another."""
    return keys.sign(f"rights-page:{request_id}:{token}")


def tokens_equal(expected: str | None, actual: str) -> bool:
    """Constant-time comparison, so timing does not leak how much of a hash matched."""
    return expected is not None and hmac.compare_digest(expected.encode(), actual.encode())


def code_expiry(now: datetime) -> datetime:
    return now + CODE_LIFETIME


def _letters(value: str) -> str:
    """Letters and digits only, compatibility-folded and case-folded."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def repeats_address(value: str, email: str) -> bool:
    """True when a data point is the e-mail address, its local part, or holds the address.

    Compared on letters and digits alone, case-insensitively, so spacing,
    dots or capitals do not turn the address into a "second" data point.
    """
    given, address = _letters(value), _letters(email)
    local = _letters(email.strip().rsplit("@", 1)[0])
    return bool(given) and (given in {address, local} or (bool(address) and address in given))


def check_match(verification: Verification, match: dict[str, str], email: str) -> dict[str, str]:
    """The given data points, each one a declared verifier; 422 naming ``match.<field>`` else.

    Blank values are dropped (a form's empty input). A point is refused when
    the policy does not declare it as a verifier (``email`` never is), when it
    repeats the address, or when it holds fewer distinct letters and digits
    than the verifier's ``min_distinct``. Messages name fields, never values.
    """
    problems: dict[str, str] = {}
    given: dict[str, str] = {}
    for field, value in match.items():
        if not value.strip():
            continue
        verifier = verification.verifier(field)
        if verifier is None:
            problems[f"match.{field}"] = (
                "the e-mail address cannot verify itself; give another detail, such as a phone"
                if field == "email"
                else "not a detail the policy accepts to verify identity"
            )
        elif repeats_address(value, email):
            problems[f"match.{field}"] = "repeats the e-mail address, so it proves nothing more"
        elif len(set(_letters(value))) < verifier.min_distinct:
            problems[f"match.{field}"] = (
                f"too simple to verify identity (fewer than {verifier.min_distinct} "
                "different letters or digits)"
            )
        else:
            given[field] = value
    if problems:
        accepted = ", ".join(v.field for v in verification.verifiers)
        raise ValidationFailed(
            f"match holds a detail that cannot verify identity; accepted: {accepted}",
            fields=problems,
        )
    return given


def match_indexes(keys: KeyManager, match: dict[str, str], country: str) -> dict[str, str]:
    """Blind indexes of the second data points; phones normalised with the request's country."""
    out: dict[str, str] = {}
    for field, value in match.items():
        if not value.strip():
            continue
        if field == "phone":
            out[field] = keys.blind_index("phone", value, country)
        else:
            out[field] = keys.blind_index(f"match:{field}", str(value))
    return out


def matches_held_data(
    session: Session, keys: KeyManager, subject_id: str, wanted: dict[str, str]
) -> bool:
    """True when every given data point equals one held about the subject (and one was given).

    A phone is compared with the subject's phone identities; any other field
    with the values of that field in the subject's records, decrypted here,
    except those a public site form brought (anyone could have typed them).
    """
    if not wanted:
        return False
    phones = set(
        session.scalars(
            select(Identity.blind_index).where(
                Identity.subject_id == subject_id, Identity.kind == "phone"
            )
        )
    )
    others = {field: index for field, index in wanted.items() if field != "phone"}
    if "phone" in wanted and wanted["phone"] not in phones:
        return False
    if not others:
        return True
    held = _held_record_indexes(session, keys, subject_id, set(others))
    return all(index in held.get(field, set()) for field, index in others.items())


def _held_record_indexes(
    session: Session, keys: KeyManager, subject_id: str, fields: set[str]
) -> dict[str, set[str]]:
    wrapped = session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    if wrapped is None:
        return {}
    try:
        records = decrypted_records(session, keys, subject_id)
    except KeyDestroyed:
        return {}
    held: dict[str, set[str]] = {field: set() for field in fields}
    for record in records:
        if record.source.startswith(SITE_FORM_SOURCE):
            continue  # anyone may have typed it under this address
        data: dict[str, Any] = record.data
        for field in fields:
            value = data.get(field)
            if isinstance(value, str | int) and str(value).strip():
                held[field].add(keys.blind_index(f"match:{field}", str(value)))
    return held


def check_agent(agent: dict[str, Any] | None) -> None:
    """Refuse an agent without the person's signed permission (422, naming the field)."""
    if agent is None:
        return
    permission = str(agent.get("permission") or "").strip()
    if len(permission) < MIN_PERMISSION_CHARS:
        raise ValidationFailed(
            "an authorized agent must attach the person's signed permission",
            fields={"agent.permission": "missing: a signed permission is required"},
        )
