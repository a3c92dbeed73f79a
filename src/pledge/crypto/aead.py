"""AES-256-GCM with a random 96-bit nonce stored in front of the ciphertext."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """The ciphertext was altered, or the key or associated data is not the one used."""


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt; ``aad`` binds the ciphertext to its row so it cannot be moved to another."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("ciphertext does not authenticate") from exc
