"""One exception tree for Pledge; each error knows the HTTP status it maps to.

```
PledgeError (500)
├── ConfigurationError (500)      settings unusable: bad master key, unsafe defaults
├── ValidationFailed (422)        input breaks the policy or schema; ``fields`` names each offender
├── BadRequest (400)              input that cannot be acted on (a wrong code); names the field
├── AuthenticationRequired (401)  no or unknown credentials
├── PermissionDenied (403)        credentials of the wrong role
├── NotFound (404)
├── Conflict (409)
├── PayloadTooLarge (413)
└── TooManyRequests (429)
```

Messages are shown to callers, so they must never contain personal data:
name the field, not the value.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PledgeError(Exception):
    """Base of every error Pledge raises on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class ConfigurationError(PledgeError):
    code = "configuration_error"


class ValidationFailed(PledgeError):
    status_code = 422
    code = "validation_failed"


class BadRequest(PledgeError):
    status_code = 400
    code = "bad_request"


class AuthenticationRequired(PledgeError):
    status_code = 401
    code = "authentication_required"


class PermissionDenied(PledgeError):
    status_code = 403
    code = "permission_denied"


class NotFound(PledgeError):
    status_code = 404
    code = "not_found"


class Conflict(PledgeError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(PledgeError):
    status_code = 413
    code = "payload_too_large"


class TooManyRequests(PledgeError):
    status_code = 429
    code = "too_many_requests"


class Unavailable(PledgeError):
    """503: something this answer depends on (another system) cannot be reached now."""

    status_code = 503
    code = "unavailable"
