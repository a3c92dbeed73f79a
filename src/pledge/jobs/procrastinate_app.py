"""Run the plain task functions through procrastinate on PostgreSQL.

Why procrastinate: its jobs live in the same PostgreSQL database, so
``pledge worker`` processes on several machines share the load with no extra
broker. Each entry of :data:`~pledge.jobs.tasks.PERIODIC_TASKS` becomes a
procrastinate task with a periodic schedule (procrastinate's cron takes a
sixth field for seconds) and a ``queueing_lock``, so at most one job of each
kind waits in the queue however many workers defer it. Concurrent runs are
safe because the functions themselves coordinate through the database
(``SKIP LOCKED`` leases, the audit sealer's advisory lock).

Each task goes to its queue (``default``, or ``webhooks`` for the webhook
deliveries), and every worker process runs one procrastinate worker per queue
in the same event loop, so a webhook job that takes its full deadline never
keeps ``seal_audit`` or mail waiting for a free slot (issue #11, item 6).

Task failures reach procrastinate as :class:`TaskFailed` carrying only the
exception class: procrastinate logs job errors with their message, and
messages can quote personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.schema import SchemaManager
from sqlalchemy import text
from sqlalchemy.engine import make_url

from pledge.errors import ConfigurationError
from pledge.jobs.tasks import PERIODIC_TASKS, QUEUES, PeriodicTask, error_name

if TYPE_CHECKING:
    from pledge.core import Pledge

log = logging.getLogger(__name__)

TASK_PREFIX = "pledge."
DELIVERY_TASK = "deliver"
# Any fixed 64-bit number: the advisory lock that serialises schema installation.
SCHEMA_LOCK_ID = 0x0B5E_55ED_0001
# procrastinate's tables live in their own PostgreSQL schema, apart from Pledge's
# migrated tables, so Alembic never sees them and dropping the queue is one statement.
QUEUE_SCHEMA = "procrastinate"
SEARCH_PATH = f"SET LOCAL search_path TO {QUEUE_SCHEMA}"


class TaskFailed(Exception):
    """A Pledge task raised; the message names the task and exception class only."""


def libpq_conninfo(database_url: str) -> str:
    """``postgresql+psycopg://u@h/db`` (SQLAlchemy) → ``postgresql://u@h/db`` (libpq)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(
            "pledge worker needs PostgreSQL; with SQLite, `pledge serve` runs jobs in-process"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def interval_to_cron(seconds: int) -> str:
    """A procrastinate cron for "every ``seconds``", which must divide a minute, hour or day."""
    if 0 < seconds < 60 and 60 % seconds == 0:
        return f"* * * * * */{seconds}"
    if seconds % 60 == 0 and 0 < seconds // 60 < 60 and 60 % (seconds // 60) == 0:
        return f"*/{seconds // 60} * * * *"
    if seconds % 3600 == 0 and 0 < seconds // 3600 <= 24 and 24 % (seconds // 3600) == 0:
        return f"0 */{seconds // 3600} * * *"
    raise ValueError(f"interval of {seconds} s does not divide a minute, an hour or a day")


def build_app(pledge: Pledge) -> App:
    """A procrastinate App whose tasks call the plain functions on ``pledge``."""
    connector = PsycopgConnector(
        conninfo=libpq_conninfo(pledge.settings.database_url),
        kwargs={"options": f"-c search_path={QUEUE_SCHEMA}"},
        min_size=1,
        max_size=4 * len(QUEUES),  # a listener, a fetcher and job updates per queue
    )
    app = App(connector=connector)
    for periodic in PERIODIC_TASKS:
        _register(app, pledge, periodic)
    return app


def _register(app: App, pledge: Pledge, periodic: PeriodicTask) -> None:
    name = TASK_PREFIX + periodic.name

    def run(timestamp: int | None = None) -> None:
        try:
            periodic.function(pledge)
        except Exception as exc:
            log.error("background task %s failed: %s", periodic.name, error_name(exc))
            raise TaskFailed(f"{periodic.name} failed: {error_name(exc)}") from None

    task = app.task(name=name, queue=periodic.queue, queueing_lock=name, pass_context=False)(run)
    app.periodic(cron=interval_to_cron(periodic.interval), periodic_id=periodic.name)(task)


class _DeferApp:
    """One never-opened App per Pledge, used only to defer jobs over a connection we lend it."""

    def __init__(self, pledge: Pledge) -> None:
        quiet_job_logs()
        self.app = build_app(pledge)


def defer_delivery(pledge: Pledge) -> bool:
    """Queue a mail delivery job now; False when one is already waiting (its queueing lock)."""
    return defer_task(pledge, DELIVERY_TASK)


def defer_task(pledge: Pledge, name: str) -> bool:
    """Queue a job of the periodic task ``name`` now; False when one is already waiting.

    The job is deferred over a connection of ``pledge.engine`` rather than a
    pool of its own, so calling this after every request costs one INSERT.
    """
    app = pledge.state(_DeferApp, lambda: _DeferApp(pledge)).app
    task = app.tasks[TASK_PREFIX + name]
    try:
        with pledge.engine.begin() as conn:
            conn.execute(text(SEARCH_PATH))
            driver_connection = conn.connection.driver_connection
            task.configure(connection=driver_connection).defer()
    except AlreadyEnqueued:
        return False
    return True


def ensure_schema(pledge: Pledge) -> bool:
    """Install procrastinate's tables once, in their own schema; True if this call did.

    Several workers may start together on several machines: a transaction-level
    advisory lock makes one of them install the schema while the others wait,
    then find it present.
    """
    schema_sql = SchemaManager.get_schema()
    with pledge.engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_ID})
        jobs_table = f"{QUEUE_SCHEMA}.procrastinate_jobs"
        if conn.scalar(text("SELECT to_regclass(:t)"), {"t": jobs_table}) is not None:
            return False
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}"))
        conn.execute(text(SEARCH_PATH))
        driver_connection: Any = conn.connection.driver_connection
        driver_connection.execute(schema_sql)
    log.info("installed the procrastinate job queue schema")
    return True


def quiet_job_logs() -> None:
    """Keep procrastinate's per-job INFO lines (several every 5 s) out of the log.

    Only when nobody configured its logger: an operator's logging config wins.
    """
    procrastinate_log = logging.getLogger("procrastinate")
    if procrastinate_log.level == logging.NOTSET:
        procrastinate_log.setLevel(logging.WARNING)


def run_worker(
    pledge: Pledge,
    *,
    concurrency: int = 1,
    wait: bool = True,
    install_signal_handlers: bool = True,
) -> None:
    """Process jobs until stopped (SIGINT/SIGTERM), or until the queue is empty if not ``wait``."""
    quiet_job_logs()
    app = build_app(pledge)

    async def main() -> None:
        stopping = asyncio.Event()
        if install_signal_handlers:
            loop = asyncio.get_running_loop()
            for stop_signal in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(stop_signal, stopping.set)
        async with app.open_async():
            await run_queues(app, stopping, concurrency=concurrency, wait=wait)

    asyncio.run(main())


async def run_queues(app: App, stopping: asyncio.Event, *, concurrency: int, wait: bool) -> None:
    """One supervised procrastinate worker per queue, side by side on this event loop.

    Why per queue: a slow webhook receiver must never hold up mail or audit
    sealing, so webhooks have a queue, and a worker, of their own.
    ``concurrency`` applies to each queue; setting ``stopping`` stops them all,
    each finishing its running jobs.
    """
    await asyncio.gather(
        *(
            supervise(app, stopping, queue=queue, concurrency=concurrency, wait=wait)
            for queue in QUEUES
        )
    )


RESTART_FIRST_DELAY = 1.0
RESTART_MAX_DELAY = 30.0
STEADY_SECONDS = 60.0
"""A worker that ran this long before stopping starts again after the first delay."""


async def supervise(
    app: App, stopping: asyncio.Event, *, queue: str, concurrency: int, wait: bool
) -> None:
    """Run procrastinate's worker for ``queue`` until ``stopping`` is set, restarting it.

    Why: procrastinate stops its worker when a side task fails (the LISTEN
    connection, the heartbeat) and when fetching a job fails, so a database
    restart or failover ended ``pledge worker`` with exit status 0 and left
    ``pledge serve`` without a worker, silently. Here the worker is started
    again after a delay that doubles up to :data:`RESTART_MAX_DELAY`.
    """
    delay = RESTART_FIRST_DELAY
    loop = asyncio.get_running_loop()
    while not stopping.is_set():
        started = loop.time()
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[queue],
                name=f"worker-{queue}",
                concurrency=concurrency,
                wait=wait,
                delete_jobs="successful",
                install_signal_handlers=False,
            )
        )
        stop = asyncio.create_task(stopping.wait())
        try:
            await asyncio.wait({worker, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not worker.done():  # asked to stop: let the running jobs finish
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
        if stopping.is_set() or worker.cancelled():
            return
        error = worker.exception()
        if error is None and not wait:
            return  # the queue is empty, as asked
        if loop.time() - started > STEADY_SECONDS:
            delay = RESTART_FIRST_DELAY
        cause = error_name(error) if error is not None else "a side task failed"
        log.warning("the job worker stopped (%s); starting it again in %.0f s", cause, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
        delay = min(delay * 2, RESTART_MAX_DELAY)
        await _drop_broken_connections(app)


async def _drop_broken_connections(app: App) -> None:
    """Let the job queue's pool replace connections a database restart left dead."""
    pool: Any = getattr(app.connector, "pool", None)
    try:
        if pool is not None:
            await pool.check()
    except Exception as exc:
        log.info("job queue pool check failed: %s", error_name(exc))


class WorkerThread:
    """A procrastinate worker on its own thread and event loop, stoppable from outside.

    ``pledge serve`` can use it to process PostgreSQL jobs in-process; tests
    use it to run a real worker beside the test code.
    """

    def __init__(self, pledge: Pledge, *, concurrency: int = 1) -> None:
        self.pledge = pledge
        self.concurrency = concurrency
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="pledge-worker", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        """Start the worker and wait until its connection pool is open."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("procrastinate worker did not start in time")
        if self._error is not None:
            raise self._error

    def stop(self, timeout: float = 30.0) -> None:
        """Let running jobs finish, close the pool and join the thread."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("procrastinate worker still busy after %.0f s", timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            log.error("procrastinate worker stopped: %s", error_name(exc))
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        quiet_job_logs()
        app = build_app(self.pledge)
        async with app.open_async():
            self._loop = asyncio.get_running_loop()
            self._stopping = asyncio.Event()
            self._ready.set()
            await run_queues(app, self._stopping, concurrency=self.concurrency, wait=True)
