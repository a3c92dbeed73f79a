"""Who may call Pledge: API keys and their roles."""

from pledge.access.api_keys import (
    ROLES,
    Principal,
    authenticate_key,
    cached_principal,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)

__all__ = [
    "ROLES",
    "Principal",
    "authenticate_key",
    "cached_principal",
    "create_api_key",
    "list_api_keys",
    "revoke_api_key",
]
