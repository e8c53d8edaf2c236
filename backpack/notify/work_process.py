"""Long WORK (a big award's signing) in a child process at a lower CPU priority, for the web process's thread.

The embedded worker thread shares the web process's GIL with the threads serving pages: a
batch of signing holds it for tens of milliseconds at a time, and a page request, which
gives the GIL up at every database call, queues behind it again each time. In a process of
its own, niced, an award takes only the CPU the pages leave. The child runs the same
`run_work` that `flask --app backpack worker` and RQ run, so the job table's leases keep
it safe whichever process dies. It is started when work is due and ends once none is; it
is a plain subprocess, not a pool, so a web process that exits (a graceful restart) never
waits for it. A lock file in the instance folder lets only one web process on the machine
keep one (each polls the same job table).
"""
import fcntl
import importlib
import json
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)

CHILD = "from backpack.notify.work_process import child_main; child_main()"


def _settings(app: Flask) -> dict:
    """The app's settings that can cross to the child: the same database, instance, keys and origin."""
    settings = {"INSTANCE_PATH": app.instance_path}
    for key, value in app.config.items():
        try:
            pickle.dumps(value)
        except Exception:  # an object made at start-up (the child's app makes its own)
            continue
        settings[key] = value
    # The child works; it serves no page, delivers nothing itself, and hands nothing on.
    return {**settings, "NOTIFY_WORKER": "off", "NOTIFY_WORK_PROCESS": False}


def child_main() -> None:
    """In the child: lower the priority, build the app from its factory (as `flask --app` finds it), work, report."""
    import_name, settings, niceness, work = pickle.loads(sys.stdin.buffer.read())
    os.nice(niceness)
    app = importlib.import_module(import_name).create_app(settings)
    with app.app_context():
        steps = work()
    print(json.dumps({"steps": steps, "niceness": os.nice(0), "pid": os.getpid()}), flush=True)


class WorkProcess:
    """One child process that runs due WORK; the web process's worker thread hands work to it and never waits."""

    def __init__(self, app: Flask, work: Callable[[], int]):
        self.app = app
        # Run in the child's app context until no WORK is left (a module-level function: it crosses by name).
        self.work = work
        self.child: subprocess.Popen | None = None
        self.last: dict | None = None
        self.lock_file = None

    @property
    def busy(self) -> bool:
        return self.child is not None and self.child.poll() is None

    def hand_off(self) -> bool:
        """Start a child to run the due WORK, unless one still runs; True if started."""
        if self.busy:
            return False
        self._collect()
        if not self._lock():
            return False  # another web process's child has it
        message = pickle.dumps(
            (self.app.import_name, _settings(self.app), self.app.config["NOTIFY_WORK_NICENESS"], self.work)
        )
        self.child = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": _path_to(self.app.import_name)},
        )
        self.child.stdin.write(message)
        self.child.stdin.close()
        return True

    def wait(self, timeout: float) -> dict | None:
        """Wait for the child to finish; return what it reported (tests, benchmarks)."""
        if self.child is not None:
            self.child.wait(timeout)
        self._collect()
        return self.last

    def idle(self) -> None:
        """No WORK is due: forget a finished child and let the lock go."""
        if not self.busy:
            self._collect()
            self.stop()

    def _collect(self) -> None:
        if self.child is None or self.child.poll() is None:
            return
        output = self.child.stdout.read()
        self.child.stdout.close()
        if self.child.returncode == 0 and output:
            self.last = json.loads(output.splitlines()[-1])
        else:  # its job waits for its lease to run out, then the next hand-off takes it over
            log.error("the work process ended with status %s", self.child.returncode)
        self.child = None

    def _lock(self) -> bool:
        """Hold the machine's work-process lock (released by stop(), or by the kernel if this process dies)."""
        if self.lock_file is None:
            self.lock_file = open(os.path.join(self.app.instance_path, "work-process.lock"), "a")  # noqa: SIM115
        try:
            fcntl.flock(self.lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def stop(self) -> None:
        """Let the lock go; a running child finishes its batches on its own (it needs nothing from this process)."""
        if self.lock_file is not None:
            self.lock_file.close()
            self.lock_file = None


def _path_to(package: str) -> str:
    """PYTHONPATH for the child: where the app's package lives, then the caller's own.

    Not the parent's whole sys.path: a folder put first there (a test runner's, a script's)
    could hold a module named like a standard one and hide it from the child.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(sys.modules[package].__file__)))
    return os.pathsep.join(path for path in (root, os.environ.get("PYTHONPATH", "")) if path)
