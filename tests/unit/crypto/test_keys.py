"""Encryption round trips, key wrapping and blind indexes (pure, no database)."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pledge.crypto import KeyDestroyed, KeyManager
from pledge.crypto.aead import DecryptionFailed
from pledge.errors import ValidationFailed

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def keys() -> KeyManager:
    return KeyManager(secrets.token_bytes(32))


@given(value=json_values, aad=st.text(max_size=40))
def test_encrypt_round_trip(keys: KeyManager, value: object, aad: str) -> None:
    data_key = keys.new_data_key()
    blob = keys.encrypt_json(data_key, value, aad)
    assert keys.decrypt_json(data_key, blob, aad) == value


@given(value=st.text(min_size=1))
def test_ciphertext_is_bound_to_its_row(keys: KeyManager, value: str) -> None:
    """Moving a ciphertext to another row (other aad) must not decrypt."""
    data_key = keys.new_data_key()
    blob = keys.encrypt_json(data_key, value, "record:a")
    with pytest.raises(DecryptionFailed):
        keys.decrypt_json(data_key, blob, "record:b")


def test_wrong_key_or_tampering_is_detected(keys: KeyManager) -> None:
    data_key = keys.new_data_key()
    blob = bytearray(keys.encrypt_json(data_key, {"a": 1}, "x"))
    with pytest.raises(DecryptionFailed):
        keys.decrypt_json(keys.new_data_key(), bytes(blob), "x")
    blob[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        keys.decrypt_json(data_key, bytes(blob), "x")


@given(subject=st.uuids().map(str))
def test_wrap_unwrap(keys: KeyManager, subject: str) -> None:
    data_key = keys.new_data_key()
    assert keys.unwrap(keys.wrap(data_key, subject), subject) == data_key


def test_destroyed_key_cannot_be_unwrapped(keys: KeyManager) -> None:
    with pytest.raises(KeyDestroyed):
        keys.unwrap(None, "s1")


def test_other_master_key_cannot_unwrap(keys: KeyManager) -> None:
    wrapped = keys.wrap(keys.new_data_key(), "s1")
    other = KeyManager(secrets.token_bytes(32))
    assert not other.check_master(wrapped, "s1")
    assert keys.check_master(wrapped, "s1")


local = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True)
domain = st.from_regex(r"[a-z0-9]{1,12}\.(com|org|co\.uk)", fullmatch=True)


@given(local=local, domain=domain, data=st.data())
def test_email_index_ignores_case_and_spaces(
    keys: KeyManager, local: str, domain: str, data: st.DataObject
) -> None:
    email = f"{local}@{domain}"
    variant = "".join(c.upper() if data.draw(st.booleans()) else c for c in email)
    assert keys.blind_index("email", f"  {variant} ") == keys.blind_index("email", email)


@given(a=st.emails(), b=st.emails())
def test_distinct_emails_have_distinct_indexes(keys: KeyManager, a: str, b: str) -> None:
    if a.lower() != b.lower():
        assert keys.blind_index("email", a) != keys.blind_index("email", b)


def test_phone_index_uses_e164() -> None:
    keys = KeyManager(secrets.token_bytes(32))
    one = keys.blind_index("phone", "+1 (833) 694-0076")
    assert keys.blind_index("phone", "833.694.0076", "US") == one
    assert keys.blind_index("phone", "+18336940076") == one
    assert keys.blind_index("phone", "+1 833 694 0077") != one


def test_blind_index_depends_on_master_key() -> None:
    a = KeyManager(secrets.token_bytes(32)).blind_index("email", "x@example.com")
    b = KeyManager(secrets.token_bytes(32)).blind_index("email", "x@example.com")
    assert a != b


def test_bad_phone_is_refused() -> None:
    keys = KeyManager(secrets.token_bytes(32))
    with pytest.raises(ValidationFailed):
        keys.blind_index("phone", "not a number")
