"""What one attempt came to, and what a kind's callback is told once it is recorded.

Neither ever holds personal data: ``code`` is a reply code or an exception
class, ``error`` a description built from such codes. Receivers' reply texts
and exception messages are left out because they often quote addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Result(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    DEAD = "dead"
    """Permanent: retrying cannot help (SMTP 5xx, HTTP 4xx but 408 and 429)."""


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt, as a transport reports it."""

    result: Result
    code: str | None = None
    """A reply code ("250", "503") or an exception class ("ConnectError")."""
    error: str | None = None
    unreachable: bool = False
    """The receiver itself cannot be reached: try nothing else of its target this pass."""

    @classmethod
    def sent(cls, code: str | None = None) -> Outcome:
        return cls(Result.SENT, code)

    @classmethod
    def retry(cls, error: str, *, code: str | None = None, unreachable: bool = False) -> Outcome:
        return cls(Result.RETRY, code, error, unreachable)

    @classmethod
    def dead(cls, error: str, *, code: str | None = None) -> Outcome:
        return cls(Result.DEAD, code, error)


def error_name(exc: BaseException) -> str:
    """An exception's class, never its message: messages can quote addresses or values."""
    return type(exc).__name__


@dataclass(frozen=True)
class Finished:
    """A recorded attempt (or a revival), told to the kind's callback in the same transaction."""

    id: str
    kind: str
    target: str | None
    template: str
    status: str
    """The delivery's state now: pending (will retry), sent or dead."""
    attempts: int
    at: datetime
    next_attempt_at: datetime
    code: str | None = None
    error: str | None = None
