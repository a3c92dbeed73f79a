"""The tamper-evident audit log."""

from pledge.audit.chain import SESSION_KEYS, AuditKeys, VerifyResult, append, seal, verify

__all__ = ["SESSION_KEYS", "AuditKeys", "VerifyResult", "append", "seal", "verify"]
