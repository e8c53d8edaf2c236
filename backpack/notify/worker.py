"""The delivery loop, and the two ways it is woken: a thread in the web process, or RQ.

Whichever runs it, the outbox table is the truth: a wake-up only says "look now". A
lost wake-up (a crash, a Redis restart) delays a notification until the next poll or
the next `flask --app backpack worker`, but never loses it.

The worker is an entry point, like a CLI command, so it commits: once per step it runs.
"""
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from backpack.extensions import db
from backpack.models import Outbox
from backpack.notify import delivery
from backpack.notify.work_process import WorkProcess

log = logging.getLogger(__name__)

QUEUE_NAME = "backpack-notify"
PRUNE_EVERY_SECONDS = 3600
NEW_ROWS = "notify.new_outbox_ids"
# Upkeep other features ask this thread to run every so often (function -> seconds), so
# they need no scheduler of their own and this package need not import them.
PERIODIC: dict[Callable[[], object], float] = {}


def periodic(seconds: float):
    """Have the worker run the decorated function (it adds and flushes) every `seconds`, then commit."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        PERIODIC[function] = seconds
        return function

    return register


# Long work other features hand to this loop in steps (a big award's batches): each call does
# one step (it adds and flushes), the worker commits it, and calls again while it says there
# is more. on_error runs in a fresh transaction after a step raised and was rolled back.
WORK: dict[Callable[[], bool], Callable[[Exception], object] | None] = {}
# For each WORK function, a cheap check that it has something to do: the web process's
# thread then hands the work to a child process (work_process.py) instead of doing it.
WORK_DUE: dict[Callable[[], bool], Callable[[], bool] | None] = {}
# Steps per pass, so a long job gives push delivery a turn between its batches.
WORK_STEPS_PER_PASS = 40


def work(on_error: Callable[[Exception], object] | None = None, due: Callable[[], bool] | None = None):
    """Have the worker call the decorated step function while it returns True, committing each step."""

    def register(function: Callable[[], bool]) -> Callable[[], bool]:
        WORK[function] = on_error
        WORK_DUE[function] = due
        return function

    return register


def wake_work() -> None:
    """Ask for WORK to run now (after the caller committed it): the thread, or an RQ job."""
    state = current_app.extensions.get("notify")
    dispatch = state.dispatch if state is not None else None
    if dispatch is None:  # "off": `flask --app backpack worker` finds it at its next poll
        return
    try:
        dispatch.wake_work()
    except Exception:  # the work is safe in its table; the next poll or sweep finds it
        log.exception("could not wake the worker for queued work")


class Worker:
    """Claim due outbox rows and deliver them, sending on a small thread pool."""

    def __init__(self, app: Flask, work_process=None):
        self.app = app
        self.pool = ThreadPoolExecutor(app.config["NOTIFY_THREADS"], thread_name_prefix="backpack-push")
        # In the web process: a WorkProcess that runs WORK away from the threads serving pages.
        self.work_process = work_process
        self.pruned_at = 0.0
        self.ran_at: dict[Callable[[], object], float] = {}

    def deliver(self, row_ids: list[int]) -> int:
        """Deliver these rows if still due (an RQ job's work); return how many this worker took."""
        return delivery.deliver(row_ids, self.pool, self.app.extensions["notify"].vapid)

    def drain(self) -> int:
        """Deliver every row that is due now; return how many were taken."""
        taken = 0
        with self.app.app_context():
            while ids := delivery.due_ids(self.app.config["NOTIFY_BATCH"]):
                claimed = self.deliver(ids)
                taken += claimed
                if claimed == 0:  # another worker holds them all
                    break
            if time.monotonic() - self.pruned_at > PRUNE_EVERY_SECONDS:
                delivery.prune(self.app.config["NOTIFY_KEEP_DAYS"])
                self.pruned_at = time.monotonic()
        self.run_periodic()
        self.run_work()
        return taken

    def run_work(self, steps: int = WORK_STEPS_PER_PASS) -> int:
        """Call each WORK step function, one commit per step, until it has no more or steps run out.

        With a work process, hand due work to it instead (it counts its own steps) and return 0.
        """
        if self.work_process is not None:
            if self.work_due():
                self.work_process.hand_off()
            else:
                self.work_process.idle()
            return 0
        ran = 0
        for function, on_error in list(WORK.items()):
            while ran < steps:
                with self.app.app_context():
                    try:
                        more = function()
                        db.session.commit()
                    except Exception as error:
                        db.session.rollback()
                        log.exception("work step %s failed", function.__qualname__)
                        more = False
                        if on_error is not None:
                            try:
                                on_error(error)
                                db.session.commit()
                            except Exception:
                                db.session.rollback()
                                log.exception("work error handler %s failed", function.__qualname__)
                ran += 1
                if not more:
                    break
        return ran

    def work_due(self) -> bool:
        """Whether any WORK has something to do (a function without a check always may)."""
        with self.app.app_context():
            return any(due is None or due() for due in WORK_DUE.values())

    def run_periodic(self) -> None:
        """Run each due upkeep function in its own transaction; a failure must not stop delivery."""
        for function, seconds in list(PERIODIC.items()):
            last = self.ran_at.get(function)
            if last is not None and time.monotonic() - last < seconds:
                continue
            self.ran_at[function] = time.monotonic()
            with self.app.app_context():
                try:
                    function()
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    log.exception("periodic %s failed", function.__qualname__)

    def run(self, stop: threading.Event, wake: threading.Event) -> None:
        """Drain, then sleep until woken or the poll interval passes; until stop is set."""
        failures = 0
        try:
            while not stop.is_set():
                try:
                    self.drain()
                    failures = 0
                except Exception:
                    # A database that is away (or not migrated yet) must not end the loop.
                    failures += 1
                    log.exception("notification worker pass failed")
                pause = self.app.config["NOTIFY_POLL_SECONDS"] * (2 ** min(failures, 6))
                wake.wait(pause)
                wake.clear()
        finally:
            self.pool.shutdown(wait=False, cancel_futures=True)
            if self.work_process is not None:
                self.work_process.stop()


def work_in_child(app: Flask) -> bool:
    """Whether this web process's thread hands WORK to a child process ("auto": yes, except in tests)."""
    setting = app.config["NOTIFY_WORK_PROCESS"]
    return not app.testing if setting == "auto" else bool(setting)


class ThreadDispatch:
    """The embedded default: one daemon thread per web process, woken at once by a commit."""

    def __init__(self, app: Flask):
        self.app = app
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        """Start the thread unless it runs already."""
        with self.lock:
            if self.running:
                return
            self.stop_event.clear()
            worker = Worker(self.app, work_process=WorkProcess(self.app, work_job) if work_in_child(self.app) else None)
            self.thread = threading.Thread(
                target=worker.run, args=(self.stop_event, self.wake_event), name="backpack-notify", daemon=True
            )
            self.thread.start()

    def wake(self, row_ids: list[int]) -> None:
        """Make the thread look at the outbox now."""
        self.wake_event.set()

    def wake_work(self) -> None:
        """Make the thread run queued WORK now."""
        self.wake_event.set()

    def stop(self, timeout: float = 5) -> None:
        """Ask the thread to finish its pass and end; wait for it a little."""
        self.stop_event.set()
        self.wake_event.set()
        if self.thread is not None:
            self.thread.join(timeout)


class QueueDispatch:
    """With REDIS_URL: hand new rows to RQ, so workers on several machines share them."""

    def __init__(self, queue):
        self.queue = queue

    @classmethod
    def from_url(cls, url: str) -> "QueueDispatch":
        from redis import Redis  # only deployments with Redis install these
        from rq import Queue

        return cls(Queue(QUEUE_NAME, connection=Redis.from_url(url)))

    def wake(self, row_ids: list[int]) -> None:
        """Enqueue one job for the rows just committed."""
        if row_ids:
            self.queue.enqueue(deliver_job, row_ids)

    def wake_work(self) -> None:
        """Enqueue one job that runs queued WORK (a big award's batches) on an RQ worker."""
        self.queue.enqueue(work_job)


def deliver_job(row_ids: list[int]) -> int:
    """RQ job: deliver these rows; runs inside `flask --app backpack worker`'s app context."""
    return current_app.extensions["notify"].worker().deliver(row_ids)


def work_job() -> int:
    """RQ job: run queued WORK until none is left (the sweeper also runs it, for jobs whose worker died)."""
    worker = current_app.extensions["notify"].worker()
    ran = total = worker.run_work()
    while ran >= WORK_STEPS_PER_PASS:
        ran = worker.run_work()
        total += ran
    return total


@event.listens_for(Session, "after_flush")
def _note_new_rows(session, flush_context):
    """Remember outbox rows written in this transaction (their ids exist after the flush)."""
    for instance in session.new:
        if isinstance(instance, Outbox):
            session.info.setdefault(NEW_ROWS, []).append(instance.id)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session):
    """Wake the delivery only once the rows are committed, never for a rolled-back event."""
    row_ids = session.info.pop(NEW_ROWS, None)
    if not row_ids:
        return
    state = current_app.extensions.get("notify") if current_app else None
    if state is None or state.dispatch is None:
        return
    try:
        state.dispatch.wake(row_ids)
    except Exception:  # the rows are safe in the outbox; the next poll or sweep finds them
        log.exception("could not wake the notification worker")


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(NEW_ROWS, None)


def run_rq(app: Flask, url: str) -> None:
    """Run an RQ worker on the notification queue, plus a sweeper for retries and crash leftovers."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(url)
    queue = Queue(QUEUE_NAME, connection=connection)
    stop = threading.Event()
    upkeep = app.extensions["notify"].worker()

    def sweep() -> None:
        handed: dict[int, float] = {}
        lease = app.config["NOTIFY_LEASE_SECONDS"]
        while not stop.wait(app.config["NOTIFY_POLL_SECONDS"]):
            try:
                with app.app_context():
                    now = time.monotonic()
                    handed = {k: v for k, v in handed.items() if now - v < lease}
                    ids = [i for i in delivery.due_ids(app.config["NOTIFY_BATCH"]) if i not in handed]
                if ids:
                    queue.enqueue(deliver_job, ids)
                    handed.update(dict.fromkeys(ids, now))
                upkeep.run_periodic()
                upkeep.run_work()
            except Exception:
                log.exception("notification sweep failed")

    sweeper = threading.Thread(target=sweep, name="backpack-notify-sweep", daemon=True)
    sweeper.start()
    try:
        # SimpleWorker runs jobs in this process, inside this app context.
        SimpleWorker([queue], connection=connection).work()
    finally:
        stop.set()
