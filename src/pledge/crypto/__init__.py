"""Per-subject encryption, key wrapping and blind indexes."""

from pledge.crypto.blind_index import normalise_email, normalise_phone
from pledge.crypto.keys import KeyDestroyed, KeyManager

__all__ = ["KeyDestroyed", "KeyManager", "normalise_email", "normalise_phone"]
