"""One derived key per use (issue #11, low): encryption and signing no longer share a key.

Ciphertexts written before the split (under ``pledge/system/v1``) still open, and every
signature handed out before (tokens, codes, unsubscribe links, recipient secrets) still
verifies, because signing keeps that label.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pledge.crypto import KeyManager
from pledge.crypto.aead import DecryptionFailed

MASTER = secrets.token_bytes(32)


def derived(label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode()).derive(MASTER)


LEGACY = derived("pledge/system/v1")


def test_system_encryption_no_longer_uses_the_signing_key() -> None:
    keys = KeyManager(MASTER)
    blob = keys.encrypt_system({"secret": "s"}, "client-secret:1")
    with pytest.raises(DecryptionFailed):
        KeyManager.decrypt_json(LEGACY, blob, "client-secret:1")
    assert keys.decrypt_system(blob, "client-secret:1") == {"secret": "s"}


def test_ciphertexts_written_before_the_split_still_open() -> None:
    keys = KeyManager(MASTER)
    old = KeyManager.encrypt_json(LEGACY, "an old client secret", "client-secret:7")
    assert keys.decrypt_system(old, "client-secret:7") == "an old client secret"
    with pytest.raises(DecryptionFailed):
        keys.decrypt_system(old, "client-secret:8")


def test_signatures_handed_out_before_still_verify() -> None:
    keys = KeyManager(MASTER)
    expected = hmac.new(LEGACY, b"rights-token:r:t", hashlib.sha256).hexdigest()
    assert keys.sign("rights-token:r:t") == expected


def test_audit_uses_have_keys_of_their_own() -> None:
    keys = KeyManager(MASTER)
    message = b"1:abc"
    macs = {keys.audit_mac(message), keys.audit_entry_mac(message), keys.audit_head_mac(message)}
    assert len(macs) == 3
    assert keys.sign(message.decode()) not in macs


def test_verbatim_blind_index_keeps_case_and_spaces() -> None:
    keys = KeyManager(MASTER)
    assert keys.blind_index_verbatim("k", "C-1001") != keys.blind_index_verbatim("k", "c-1001 ")
    assert keys.blind_index("k", "C-1001") == keys.blind_index("k", "c-1001 ")
