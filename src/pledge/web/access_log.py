"""Keep personal data and capability tokens out of the HTTP access log.

Some contract routes take an e-mail in the query string
(``GET /api/v1/consents?email=...``), and unsubscribe links carry a token
that lets anyone holding it change a person's choices. Uvicorn's access log
writes the full path with its query; this filter drops the query and masks
the token (so is a site form's confirmation link, ``/forms/confirm/TOKEN``)
before any handler sees the record. For the site's beacon it also
drops the caller's address: that route keeps the address as a country only,
and the log must not keep it either.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_TOKEN_PATH = re.compile(r"^(/u/|/forms/confirm/)[^/?]+")
NO_CLIENT_PATHS = frozenset({"/api/v1/beacon"})
"""Paths logged without the caller's address."""


def scrub_path(path: str) -> str:
    """``/api/v1/consents?email=a@b`` → ``/api/v1/consents``; ``/u/TOKEN/x`` → ``/u/…/x``."""
    bare = path.split("?", 1)[0]
    return _TOKEN_PATH.sub(r"\1…", bare)


class ScrubAccessLog(logging.Filter):
    """Rewrites uvicorn's ``(client, method, path, version, status)`` record arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = scrub_path(args[2])
            client = "-" if path in NO_CLIENT_PATHS else args[0]
            record.args = (client, args[1], path, *args[3:])
        return True


def install_access_log_filter() -> None:
    """Add the filter to uvicorn's access logger once (idempotent)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, ScrubAccessLog) for f in logger.filters):
        logger.addFilter(ScrubAccessLog())
