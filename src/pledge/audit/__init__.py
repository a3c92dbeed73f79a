"""The tamper-evident audit log."""

from pledge.audit.chain import SESSION_KEYS, AuditKeys, VerifyResult, append, seal, verify
from pledge.audit.reads import READ, audit_read

__all__ = [
    "READ",
    "SESSION_KEYS",
    "AuditKeys",
    "VerifyResult",
    "append",
    "audit_read",
    "seal",
    "verify",
]
