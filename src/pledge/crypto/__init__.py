"""Per-subject encryption, key wrapping and blind indexes."""

from pledge.crypto.blind_index import normalise_email, normalise_phone
from pledge.crypto.keys import KeyDestroyed, KeyManager, RingEntry, master_key_id

__all__ = [
    "KeyDestroyed",
    "KeyManager",
    "RingEntry",
    "master_key_id",
    "normalise_email",
    "normalise_phone",
]
