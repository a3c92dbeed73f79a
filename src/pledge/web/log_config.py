"""Logging for ``pledge serve``: an exception is logged by its class, never its traceback.

A traceback carries values (an SQL statement's parameters, the text a codec
could not encode, a request's fields), and values may be personal data. When
something escapes a route, the app answers a plain 500 and logs
``unhandled <class>`` (:mod:`pledge.web.errors`); Starlette then re-raises it
for the server to log, and uvicorn would print the whole traceback under
"Exception in ASGI application". With this configuration every handler,
uvicorn's included, prints the message and the exception's class only.
"""

from __future__ import annotations

import logging
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ClassOnlyFormatter(logging.Formatter):
    """Formats the record without its traceback or stack: ``message [ExceptionClass]``."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        kind = record.exc_info[0] if record.exc_info else None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        return f"{text} [{kind.__name__}]" if kind is not None else text


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "pledge.web.access_log.ScrubAccessLog"}},
    "formatters": {
        "default": {"()": "pledge.web.log_config.ClassOnlyFormatter", "fmt": FORMAT},
        "access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": '%(asctime)s %(levelname)s access: %(client_addr)s "%(request_line)s" '
            "%(status_code)s",
            "use_colors": False,
        },
    },
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": "default",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["scrub"],
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["default"], "level": "INFO"},
}
"""For ``uvicorn.run(log_config=...)``: uvicorn and every other logger, class-only tracebacks."""
