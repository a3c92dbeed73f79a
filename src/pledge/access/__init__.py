"""Who may call Pledge: API keys and their roles, Client keys, and rate limits."""

from pledge.access.api_keys import (
    ROLES,
    Principal,
    authenticate_key,
    cached_principal,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from pledge.access.client_keys import enable_client, mark_client_disabled, rotate_client_key

__all__ = [
    "ROLES",
    "Principal",
    "authenticate_key",
    "cached_principal",
    "create_api_key",
    "enable_client",
    "list_api_keys",
    "mark_client_disabled",
    "revoke_api_key",
    "rotate_client_key",
]
