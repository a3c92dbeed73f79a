"""An import-string app factory, for ``uvicorn`` worker processes (``pledge serve --workers N``).

Each worker process builds its own :class:`~pledge.core.Pledge` (engine,
connection pool, keys) from the environment, like ``pledge serve`` does; the
schema upgrade and the in-process job runner stay in the parent process.
"""

from __future__ import annotations

from fastapi import FastAPI

from pledge.core import Pledge
from pledge.settings import Settings
from pledge.web.app import create_app, freeze_startup_objects


def create() -> FastAPI:
    """``uvicorn.run("pledge.web.asgi:create", factory=True, workers=N)``."""
    app = create_app(Pledge(Settings()))
    freeze_startup_objects()
    return app
