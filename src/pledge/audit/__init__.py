"""The tamper-evident audit log."""

from pledge.audit.chain import VerifyResult, append, seal, verify

__all__ = ["VerifyResult", "append", "seal", "verify"]
