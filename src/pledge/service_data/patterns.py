"""Regular expressions an administrator supplies (a collected field's ``pattern``), run by RE2.

Why RE2 (`google-re2`) rather than Python's `re`: a pattern such as ``(a+)+$`` makes `re`
backtrack exponentially, so one Client's instructions and one long value could hold a request
or a worker for minutes (issue #11, "admin regexes run without a timeout").  RE2 matches in
time linear in the input whatever the pattern, so there is nothing to time out.

Why not the `regex` module with ``timeout=``: a timeout still spends up to its whole length on
every value of every conversation that meets a bad pattern, it has to be tuned (too short
refuses honest values on a busy machine, too long is the hang again), and a value refused by
a timeout is refused by chance.  RE2's cost is that it refuses what it cannot match in linear
time, backreferences (``\\1``) and lookaround (``(?=``, ``(?<!``), and possessive or atomic
forms; a pattern for a collected value (an account number's format) does not need them, and
the refusal comes at registration, naming the field, where the administrator can rewrite it.

Semantics that differ from `re`: RE2's ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII only
(stricter, for values the detector has already normalised), and RE2 writes the end of the
text ``\\z`` (``\\Z`` is refused).  RE2 is told not to log, so a refused pattern is not
echoed on standard error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol, cast

import re2  # type: ignore[import-untyped]

__all__ = ["compile_error", "matches_whole"]


class _Compiled(Protocol):
    def fullmatch(self, text: str) -> object | None: ...


def _options() -> object:
    options = re2.Options()
    options.log_errors = False
    return cast(object, options)


_OPTIONS = _options()


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> _Compiled | None:
    try:
        return cast(_Compiled, re2.compile(pattern, options=_OPTIONS))
    except re2.error:
        return None


def compile_error(pattern: str) -> str | None:
    """Why RE2 refuses *pattern*, in words fit for the administrator; None when it compiles."""
    if _compiled(pattern) is not None:
        return None
    try:
        re2.compile(pattern, options=_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return (
            f"not a regular expression Pledge can run in linear time (RE2: {reason}); "
            "backreferences and lookaround are not supported"
        )
    return None  # pragma: no cover - the cache and a second compile disagree only on memory


def matches_whole(pattern: str, value: str) -> bool:
    """Whether *value* matches *pattern* whole; False for a pattern RE2 refuses (one stored
    before patterns were checked), so such a field collects nothing rather than hang."""
    compiled = _compiled(pattern)
    return compiled is not None and compiled.fullmatch(value) is not None
