"""The key manager: master key, per-subject data keys, blind-index and system keys.

Every subject has its own random AES-256 key; it is stored only wrapped by the
master key. All other keys are derived from the master key with HKDF under
distinct labels, so one secret needs protecting and rotating.

One derived key per use (issue #11): wrapping, blind indexes, system encryption,
signing (tokens, codes, links, recipients' webhook secrets), audit links, audit
entry MACs, the audit head and staff TOTP secrets each have their own label. The label
``pledge/system/v1`` once served both to encrypt system secrets and to sign; it
now only signs (so every token, code, link and recipient secret already handed
out still verifies), new system secrets are encrypted under
``pledge/system-encryption/v2``, and ciphertexts written under the old label are
still opened with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pledge.crypto.aead import DecryptionFailed, open_sealed, seal
from pledge.crypto.blind_index import normalise_email, normalise_phone

DATA_KEY_BYTES = 32


class KeyDestroyed(Exception):
    """The subject's key was destroyed by erasure; their data is gone for good."""


def _derive(master: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode()).derive(master)


class KeyManager:
    """Wraps and unwraps subject keys and computes blind indexes."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != DATA_KEY_BYTES:
            raise ValueError("master key must be 32 bytes")
        self._wrap_key = _derive(master_key, "pledge/wrap/v1")
        self._index_key = _derive(master_key, "pledge/blind-index/v1")
        self._signing_key = _derive(master_key, "pledge/system/v1")
        """Signs tokens, codes, links and derives recipients' webhook secrets; before
        per-use keys it also encrypted system secrets, which it still opens."""
        self._system_key = _derive(master_key, "pledge/system-encryption/v2")
        self._audit_key = _derive(master_key, "pledge/audit/v1")
        self._audit_entry_key = _derive(master_key, "pledge/audit-entry/v1")
        self._audit_head_key = _derive(master_key, "pledge/audit-head/v1")
        self._staff_secret_key = _derive(master_key, "pledge/staff-totp/v1")

    # subject keys
    def new_data_key(self) -> bytes:
        return os.urandom(DATA_KEY_BYTES)

    def wrap(self, data_key: bytes, subject_id: str) -> bytes:
        return seal(self._wrap_key, data_key, subject_id.encode())

    def unwrap(self, wrapped: bytes | None, subject_id: str) -> bytes:
        """The subject's data key.

        Raises KeyDestroyed after erasure, DecryptionFailed under a wrong master key.
        """
        if wrapped is None:
            raise KeyDestroyed(subject_id)
        return open_sealed(self._wrap_key, wrapped, subject_id.encode())

    def check_master(self, wrapped: bytes, subject_id: str) -> bool:
        """True when this master key opens a key wrapped earlier (detects a swapped master key)."""
        try:
            self.unwrap(wrapped, subject_id)
        except DecryptionFailed:
            return False
        return True

    # values under a subject key
    @staticmethod
    def encrypt_json(data_key: bytes, value: Any, aad: str) -> bytes:
        plaintext = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
        return seal(data_key, plaintext, aad.encode())

    @staticmethod
    def decrypt_json(data_key: bytes, blob: bytes, aad: str) -> Any:
        return json.loads(open_sealed(data_key, blob, aad.encode()))

    # system secrets (outbox, tokens)
    def encrypt_system(self, value: Any, aad: str) -> bytes:
        return self.encrypt_json(self._system_key, value, aad)

    def decrypt_system(self, blob: bytes, aad: str) -> Any:
        """Opens what :meth:`encrypt_system` wrote, and what it wrote before per-use keys."""
        try:
            return self.decrypt_json(self._system_key, blob, aad)
        except DecryptionFailed:
            return self.decrypt_json(self._signing_key, blob, aad)

    # staff second factors
    def encrypt_staff_secret(self, secret: str, user_id: str) -> bytes:
        """A staff member's TOTP secret, sealed under its own key and bound to the account:
        a database copy cannot sign in, and a sealed secret moved to another row fails."""
        return seal(self._staff_secret_key, secret.encode(), f"staff-totp:{user_id}".encode())

    def decrypt_staff_secret(self, blob: bytes, user_id: str) -> str:
        return open_sealed(self._staff_secret_key, blob, f"staff-totp:{user_id}".encode()).decode()

    def sign(self, message: str) -> str:
        """HMAC for links and tokens that Pledge must later recognise as its own."""
        return hmac.new(self._signing_key, message.encode(), hashlib.sha256).hexdigest()

    def recipient_webhook_secret(self, recipient_id: str) -> str:
        """The secret that signs notices to one recipient's webhook.

        Derived, not stored: the policy (which names the webhook) is public
        and versioned, so no secret may live there, and a derived one needs
        no table, no rotation job and no backup of its own. It changes only
        with the master key. ``pledge recipients secret ID`` prints it.
        """
        return hmac.new(
            self._signing_key, f"recipient-webhook/v1:{recipient_id}".encode(), hashlib.sha256
        ).hexdigest()

    def audit_mac(self, message: bytes) -> str:
        """Keyed hash for audit links: without the master key no one can re-forge the chain."""
        return hmac.new(self._audit_key, message, hashlib.sha256).hexdigest()

    def audit_entry_mac(self, message: bytes) -> str:
        """MAC of one audit entry's content, written with the entry (its own derived key)."""
        return hmac.new(self._audit_entry_key, message, hashlib.sha256).hexdigest()

    def audit_head_mac(self, message: bytes) -> str:
        """MAC of the audit chain's head, written by each seal (its own derived key)."""
        return hmac.new(self._audit_head_key, message, hashlib.sha256).hexdigest()

    # blind indexes
    def email_index_digests(self, emails: Iterable[str]) -> list[bytes]:
        """Raw e-mail blind indexes in bulk, equal to ``blind_index("email", e)`` as bytes.

        HMAC-SHA256 spelled out (RFC 2104): the inner and outer SHA-256 states
        over the padded key are computed once and copied per address, about three
        times faster than a new HMAC per address at a million addresses.
        """
        key = self._index_key.ljust(64, b"\0")
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in key) + b"email:")
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        out: list[bytes] = []
        for email in emails:
            digest = inner.copy()
            digest.update(normalise_email(email).encode())
            final = outer.copy()
            final.update(digest.digest())
            out.append(final.digest())
        return out

    def blind_index_verbatim(self, kind: str, value: str) -> str:
        """HMAC-SHA256 of the value exactly as given (no trimming, no case folding).

        For identifiers that are not Pledge's to normalise, such as a Client's own
        customer ids, where ``C-1001`` and ``c-1001 `` may be two people.
        """
        return hmac.new(self._index_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def blind_index(self, kind: str, value: str, country: str | None = None) -> str:
        """HMAC-SHA256 of the normalised value, separated per kind."""
        if kind == "email":
            normal = normalise_email(value)
        elif kind == "phone":
            normal = normalise_phone(value, country)
        else:
            normal = value.strip().casefold()
        return hmac.new(self._index_key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


__all__ = ["DecryptionFailed", "KeyDestroyed", "KeyManager"]
