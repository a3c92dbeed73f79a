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
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pledge.crypto.aead import NONCE_BYTES, DecryptionFailed, open_sealed, seal
from pledge.crypto.blind_index import normalise_email, normalise_phone
from pledge.errors import ConfigurationError

DATA_KEY_BYTES = 32
KEY_ID_BYTES = 8
WRAP_FORMAT = b"\x01"
"""First byte of a wrapped key that names its master key: format, then the key id."""
LEGACY_WRAPPED_BYTES = NONCE_BYTES + DATA_KEY_BYTES + 16
"""A wrapped key from before key ids: nonce, sealed data key, tag (and nothing naming the key)."""


class KeyDestroyed(Exception):
    """The subject's key was destroyed by erasure; their data is gone for good."""


def _derive(master: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode()).derive(master)


def master_key_id(master: bytes) -> str:
    """A short public name for a master key, written in front of every key it wraps."""
    return _derive(master, "pledge/key-id/v1")[:KEY_ID_BYTES].hex()


_DERIVED_LABELS = {
    "index": "pledge/blind-index/v1",
    "signing": "pledge/system/v1",
    "system": "pledge/system-encryption/v2",
    "audit": "pledge/audit/v1",
    "audit_entry": "pledge/audit-entry/v1",
    "audit_head": "pledge/audit-head/v1",
    "staff_secret": "pledge/staff-totp/v1",
    "root": "pledge/root/v1",
}


@dataclass(frozen=True)
class DerivedKeys:
    """Every key but the wrapping key: they outlive a master-key rotation.

    Blind indexes (and the hashed suppressions made from them), signed links
    already mailed, recipients' webhook secrets and the audit chain all depend
    on these, so rotating the master key must not change them: the first
    master key derives them, and after a rotation they are kept in the key
    ring sealed under the new master key. ``root`` derives keys added later.
    """

    index: bytes
    signing: bytes
    system: bytes
    audit: bytes
    audit_entry: bytes
    audit_head: bytes
    staff_secret: bytes
    root: bytes

    @cached_property
    def journal(self) -> bytes:
        """MACs erasure-journal lines; derived from ``root``, so a rotation keeps it."""
        return _derive(self.root, "pledge/erasure-journal/v1")

    @cached_property
    def audit_anchor(self) -> bytes:
        """MACs the audit chain's checkpoints kept outside the database (``root``-derived)."""
        return _derive(self.root, "pledge/audit-anchor/v1")

    @classmethod
    def from_master(cls, master: bytes) -> DerivedKeys:
        return cls(**{name: _derive(master, label) for name, label in _DERIVED_LABELS.items()})

    def to_bytes(self) -> bytes:
        return json.dumps({name: getattr(self, name).hex() for name in _DERIVED_LABELS}).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> DerivedKeys:
        found = json.loads(raw)
        return cls(**{name: bytes.fromhex(found[name]) for name in _DERIVED_LABELS})


class RingEntry(NamedTuple):
    """One sealed secret of the key ring (table ``key_ring``).

    ``successor`` / ``predecessor``: the wrapping key of master ``key_id`` (the key
    rotated to, or from), sealed for master ``sealed_by``, so that while a rotation
    is under way a process holding either key opens keys wrapped under the other.
    ``derived``: the :class:`DerivedKeys`, sealed for master ``sealed_by``.
    """

    kind: str
    key_id: str
    sealed_by: str
    blob: bytes


RingLoader = Callable[[], Sequence[RingEntry]]
SUCCESSOR = "successor"
PREDECESSOR = "predecessor"
DERIVED = "derived"
WRAP_KINDS = (SUCCESSOR, PREDECESSOR)


class KeyManager:
    """Wraps and unwraps subject keys and computes blind indexes.

    ``ring`` reads the key ring from the database (see :class:`RingEntry`); without
    it (unit tests, a database never rotated) every key derives from the master key.
    """

    def __init__(self, master_key: bytes, ring: RingLoader | None = None) -> None:
        if len(master_key) != DATA_KEY_BYTES:
            raise ValueError("master key must be 32 bytes")
        self.key_id = master_key_id(master_key)
        self._wrap_key = _derive(master_key, "pledge/wrap/v1")
        self._ring_key = _derive(master_key, "pledge/key-ring/v1")
        self._own_derived = DerivedKeys.from_master(master_key)
        self._ring = ring
        self._lock = threading.Lock()
        self._other_wrap_keys: dict[str, bytes] = {}
        self._resolved: DerivedKeys | None = None if ring else self._own_derived

    # the key ring
    @property
    def _derived(self) -> DerivedKeys:
        found = self._resolved
        if found is None:
            self.refresh()
            found = self._resolved
            assert found is not None
        return found

    def refresh(self) -> None:
        """Read the key ring again: the derived keys, and the wrapping keys of a rotation.

        Raises ConfigurationError when the ring holds derived keys none sealed for
        this master key (a key from before a finished rotation, or a wrong one).
        """
        entries = list(self._ring()) if self._ring else []
        try:
            others, derived = self._open_ring(entries)
        except DecryptionFailed as exc:
            raise ConfigurationError("the key ring in the database does not authenticate") from exc
        with self._lock:
            self._other_wrap_keys = others
            self._resolved = derived

    def _open_ring(self, entries: list[RingEntry]) -> tuple[dict[str, bytes], DerivedKeys]:
        others: dict[str, bytes] = {}
        sealed_derived = [e for e in entries if e.kind == DERIVED]
        derived = self._own_derived if not sealed_derived else None
        for entry in entries:
            if entry.sealed_by != self.key_id:
                continue
            if entry.kind in WRAP_KINDS:
                aad = f"ring:wrap:{entry.key_id}".encode()
                others[entry.key_id] = open_sealed(self._ring_key, entry.blob, aad)
            elif entry.kind == DERIVED:
                derived = DerivedKeys.from_bytes(
                    open_sealed(self._ring_key, entry.blob, b"ring:derived")
                )
        if derived is None:
            raise ConfigurationError(
                "PLEDGE_MASTER_KEY is not the master key in force for this database"
            )
        return others, derived

    def successor_entries(self, successor: KeyManager) -> list[RingEntry]:
        """The ring entries that let this key and ``successor`` read each other's wrapped keys.

        Both hold the derived keys in force (this key's), so processes on
        either key compute the same blind indexes, signatures and MACs.
        """
        derived = self._derived.to_bytes()
        return [
            RingEntry(
                SUCCESSOR,
                successor.key_id,
                self.key_id,
                seal(self._ring_key, successor._wrap_key, f"ring:wrap:{successor.key_id}".encode()),
            ),
            RingEntry(
                PREDECESSOR,
                self.key_id,
                successor.key_id,
                seal(successor._ring_key, self._wrap_key, f"ring:wrap:{self.key_id}".encode()),
            ),
            RingEntry(DERIVED, "", self.key_id, seal(self._ring_key, derived, b"ring:derived")),
            RingEntry(
                DERIVED, "", successor.key_id, seal(successor._ring_key, derived, b"ring:derived")
            ),
        ]

    def _wrap_keys(self) -> list[tuple[str, bytes]]:
        with self._lock:
            return [(self.key_id, self._wrap_key), *self._other_wrap_keys.items()]

    # subject keys
    def new_data_key(self) -> bytes:
        return os.urandom(DATA_KEY_BYTES)

    def wrap(self, data_key: bytes, subject_id: str) -> bytes:
        """The data key sealed under this master key, prefixed by the key's id."""
        sealed = seal(self._wrap_key, data_key, subject_id.encode())
        return WRAP_FORMAT + bytes.fromhex(self.key_id) + sealed

    @staticmethod
    def wrapped_key_id(wrapped: bytes) -> str | None:
        """The id of the master key that wrapped ``wrapped``; None for a key from before ids."""
        if len(wrapped) == LEGACY_WRAPPED_BYTES or not wrapped.startswith(WRAP_FORMAT):
            return None
        return wrapped[1 : 1 + KEY_ID_BYTES].hex()

    def unwrap(self, wrapped: bytes | None, subject_id: str) -> bytes:
        """The subject's data key.

        Raises KeyDestroyed after erasure, DecryptionFailed under a wrong master key.
        A key wrapped under a master this process does not know yet (a rotation
        running elsewhere) sends it to read the key ring once more.
        """
        if wrapped is None:
            raise KeyDestroyed(subject_id)
        key_id = self.wrapped_key_id(wrapped)
        body = wrapped if key_id is None else wrapped[1 + KEY_ID_BYTES :]
        try:
            return self._open_wrapped(key_id, body, subject_id)
        except DecryptionFailed:
            if self._ring is None:
                raise
        self.refresh()
        return self._open_wrapped(key_id, body, subject_id)

    def _open_wrapped(self, key_id: str | None, body: bytes, subject_id: str) -> bytes:
        for candidate_id, key in self._wrap_keys():
            if key_id in (None, candidate_id):
                try:
                    return open_sealed(key, body, subject_id.encode())
                except DecryptionFailed:
                    continue
        raise DecryptionFailed("no master key this process holds opens the wrapped key")

    def check_master(self, wrapped: bytes, subject_id: str) -> bool:
        """True when this master key opens a key wrapped earlier (detects a swapped master key)."""
        try:
            self.unwrap(wrapped, subject_id)
        except DecryptionFailed:
            return False
        return True

    def journal_mac(self, message: bytes) -> str:
        """MAC of one erasure-journal line (a key of its own, kept across rotations)."""
        return hmac.new(self._derived.journal, message, hashlib.sha256).hexdigest()

    def audit_anchor_mac(self, message: bytes) -> str:
        """MAC of one audit checkpoint in the anchor file (a key used for nothing else)."""
        return hmac.new(self._derived.audit_anchor, message, hashlib.sha256).hexdigest()

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
        return self.encrypt_json(self._derived.system, value, aad)

    def decrypt_system(self, blob: bytes, aad: str) -> Any:
        """Opens what :meth:`encrypt_system` wrote, and what it wrote before per-use keys."""
        try:
            return self.decrypt_json(self._derived.system, blob, aad)
        except DecryptionFailed:
            return self.decrypt_json(self._derived.signing, blob, aad)

    # staff second factors
    def encrypt_staff_secret(self, secret: str, user_id: str) -> bytes:
        """A staff member's TOTP secret, sealed under its own key and bound to the account:
        a database copy cannot sign in, and a sealed secret moved to another row fails."""
        return seal(self._derived.staff_secret, secret.encode(), f"staff-totp:{user_id}".encode())

    def decrypt_staff_secret(self, blob: bytes, user_id: str) -> str:
        return open_sealed(
            self._derived.staff_secret, blob, f"staff-totp:{user_id}".encode()
        ).decode()

    def sign(self, message: str) -> str:
        """HMAC for links and tokens that Pledge must later recognise as its own."""
        return hmac.new(self._derived.signing, message.encode(), hashlib.sha256).hexdigest()

    def recipient_webhook_secret(self, recipient_id: str) -> str:
        """The secret that signs notices to one recipient's webhook.

        Derived, not stored: the policy (which names the webhook) is public
        and versioned, so no secret may live there, and a derived one needs
        no table, no rotation job and no backup of its own. It changes only
        with the master key. ``pledge recipients secret ID`` prints it.
        """
        return hmac.new(
            self._derived.signing, f"recipient-webhook/v1:{recipient_id}".encode(), hashlib.sha256
        ).hexdigest()

    def audit_mac(self, message: bytes) -> str:
        """Keyed hash for audit links: without the master key no one can re-forge the chain."""
        return hmac.new(self._derived.audit, message, hashlib.sha256).hexdigest()

    def audit_entry_mac(self, message: bytes) -> str:
        """MAC of one audit entry's content, written with the entry (its own derived key)."""
        return hmac.new(self._derived.audit_entry, message, hashlib.sha256).hexdigest()

    def audit_head_mac(self, message: bytes) -> str:
        """MAC of the audit chain's head, written by each seal (its own derived key)."""
        return hmac.new(self._derived.audit_head, message, hashlib.sha256).hexdigest()

    # blind indexes
    def email_index_digests(self, emails: Iterable[str]) -> list[bytes]:
        """Raw e-mail blind indexes in bulk, equal to ``blind_index("email", e)`` as bytes.

        HMAC-SHA256 spelled out (RFC 2104): the inner and outer SHA-256 states
        over the padded key are computed once and copied per address, about three
        times faster than a new HMAC per address at a million addresses.
        """
        key = self._derived.index.ljust(64, b"\0")
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
        return hmac.new(self._derived.index, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def blind_index(self, kind: str, value: str, country: str | None = None) -> str:
        """HMAC-SHA256 of the normalised value, separated per kind."""
        if kind == "email":
            normal = normalise_email(value)
        elif kind == "phone":
            normal = normalise_phone(value, country)
        else:
            normal = value.strip().casefold()
        return hmac.new(
            self._derived.index, f"{kind}:{normal}".encode(), hashlib.sha256
        ).hexdigest()


__all__ = [
    "DERIVED",
    "PREDECESSOR",
    "SUCCESSOR",
    "DecryptionFailed",
    "DerivedKeys",
    "KeyDestroyed",
    "KeyManager",
    "RingEntry",
    "RingLoader",
    "master_key_id",
]
