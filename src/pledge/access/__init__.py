"""Who may call Pledge: API keys and their roles."""

from pledge.access.api_keys import ROLES, Principal, authenticate_key, create_api_key

__all__ = ["ROLES", "Principal", "authenticate_key", "create_api_key"]
