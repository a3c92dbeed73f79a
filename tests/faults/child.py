"""The process a fault test kills: runs one Pledge step and SIGKILLs itself where told.

Run as ``python -m tests.faults.child ACTION [ARGS...]`` with the Pledge
settings in ``PLEDGE_*`` variables and the fault in ``FAULT_KILL``. Nothing
in Pledge is mocked: the hooks below only watch (a SQLAlchemy event, a
wrapper around a function) and end the process with SIGKILL at the chosen
point, which is what a power cut, an OOM kill or ``kill -9`` does. The
database sees a connection drop with its transaction open (rolled back); the
receivers see whatever was already on the wire.

Actions:

- ``verify REQUEST_ID TOKEN CODE``: the person confirms an erasure; fulfilment
  runs right after, in this process, as it does behind the API.
- ``deliver [KIND ...]``: one delivery pass, as a worker's ``deliver`` job does.

``FAULT_KILL`` is one of:

- ``fulfil:start``: on entering fulfilment (the verification is committed).
- ``fulfil:write:N``: right after the N-th writing statement (INSERT, UPDATE,
  DELETE) of the fulfilment transaction reached the database (1-based).
- ``fulfil:commit``: as the fulfilment transaction is about to commit.
- ``fulfil:committed``: once fulfilment has returned (its commit done).
- ``deliver:claimed``: once a delivery is claimed (the lease committed), before sending.
- ``deliver:sent``: once the transport reported the delivery sent, before recording it.
- ``deliver:recording``: inside the recording transaction, before its commit.
- ``deliver:recorded``: once the outcome is committed.
- empty: no kill (a tracing run).

``FAULT_TRACE``, when set, names a file that gets one line per writing
statement of the fulfilment transaction, so the test can name the steps.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

from pledge.core import Pledge

WRITES = ("INSERT", "UPDATE", "DELETE")


def die() -> None:
    """What a power cut does: no cleanup, no rollback, no goodbye."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def statement_label(statement: str) -> str:
    """``INSERT INTO audit_log``, ``UPDATE rights_requests``: what a write touches."""
    words = statement.split()
    if not words:
        return ""
    verb = words[0].upper()
    table = {"INSERT": 2, "DELETE": 2, "UPDATE": 1}.get(verb)
    if table is None or len(words) <= table:
        return verb
    return " ".join(words[: table + 1])


class Watch:
    """Counts the writes of the watched transaction and kills at the chosen point."""

    def __init__(self, spec: str, trace: str | None) -> None:
        self.spec = spec
        self.trace = trace
        self.active = False
        self.writes = 0

    def after_execute(self, statement: str) -> None:
        if not self.active:
            return
        if not statement.lstrip().upper().startswith(WRITES):
            return
        self.writes += 1
        if self.trace:
            with open(self.trace, "a", encoding="utf-8") as out:
                out.write(statement_label(statement) + "\n")
        if self.spec == f"fulfil:write:{self.writes}":
            die()

    def before_commit(self) -> None:
        if self.active and self.spec == "fulfil:commit":
            die()


def install(spec: str, trace: str | None) -> None:
    """Wrap the functions the fault can be placed in; the wrappers only watch and kill."""
    # By module, not attribute: ``pledge.rights.fulfil`` is also a function of the package.
    run = importlib.import_module("pledge.delivery.run")
    fulfilment = importlib.import_module("pledge.rights.fulfil")

    watch = Watch(spec, trace)

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        watch.after_execute(statement)

    @event.listens_for(Engine, "commit")
    def _commit(_conn: Any) -> None:
        watch.before_commit()

    original_fulfil = fulfilment.fulfil

    def fulfil(*args: Any, **kwargs: Any) -> str | None:
        if spec == "fulfil:start":
            die()
        watch.active = True
        try:
            status = original_fulfil(*args, **kwargs)
        finally:
            watch.active = False
        if spec == "fulfil:committed":
            die()
        return status

    fulfilment.fulfil = fulfil  # service.verify imports it at call time
    run.claim = _after_call(run.claim, spec == "deliver:claimed", lambda claimed: claimed)
    run.attempt = _after_call(
        run.attempt, spec == "deliver:sent", lambda outcome: outcome.result == "sent"
    )
    run.record = _after_call(run.record, spec == "deliver:recorded", lambda finished: finished)
    if spec == "deliver:recording":
        _kill_before_recording_commits(run)


def _after_call(
    function: Callable[..., Any], armed: bool, reached: Callable[[Any], Any]
) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if armed and reached(result):
            die()
        return result

    return wrapper


def _kill_before_recording_commits(run: Any) -> None:
    """The outcome's UPDATE has reached the database; the process dies before COMMIT."""
    original = run.record

    def record(pledge: Pledge, *args: Any, **kwargs: Any) -> Any:
        @event.listens_for(pledge.engine, "commit")
        def _commit(_conn: Any) -> None:
            die()

        return original(pledge, *args, **kwargs)

    run.record = record


def main(argv: list[str]) -> int:
    install(os.environ.get("FAULT_KILL", ""), os.environ.get("FAULT_TRACE"))
    pledge = Pledge()
    action, *args = argv
    if action == "verify":
        from pledge.rights.service import verify

        request_id, token, code = args
        print(verify(pledge, request_id, token, code).status)
    elif action == "deliver":
        from pledge.jobs import deliver

        print(deliver(pledge, args) if args else deliver(pledge))
    else:
        raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
