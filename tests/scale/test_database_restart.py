"""A PostgreSQL server that restarts while people use the app: every request fails cleanly
(503, in words) while it is down, and the same app process answers 200 again once it is back."""
import os
import signal
import subprocess
import threading
import time

import psycopg
import pytest

from backpack.models import Role
from tests.conftest import build_app, new_client, with_tables
from tests.support.servers import Server, create_database, start_postgres

CLIENTS = 4
UNAVAILABLE = "We cannot reach our records for a moment. Please try again in a minute."


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own: the test stops and starts it."""
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def app(tmp_path, own_postgres):
    url = create_database(own_postgres, "backpack")
    # Errors are answered as in production, not raised into the test.
    yield from with_tables(build_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, PROPAGATE_EXCEPTIONS=False))


def stop(server: Server) -> None:
    """Stop PostgreSQL as an operator would (fast shutdown: open connections are cut)."""
    os.killpg(server.process.pid, signal.SIGINT)
    server.process.wait(30)


def start_again(server: Server) -> None:
    """Start the same server on the same data and port, and wait until it takes connections."""
    with server.log.open("ab") as out:
        server.process = subprocess.Popen(
            server.process.args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    admin = server.url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text(errors="replace")[-2000:]
        try:
            psycopg.connect(admin, connect_timeout=1).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    pytest.fail("PostgreSQL did not come back")


class Load:
    """Clients asking for a learner's page and /healthz over and over, each answer noted with the phase."""

    def __init__(self, actors, phase: str = "before"):
        self.actors = actors
        self.phase = phase
        self.answers: list[tuple[str, str, str, int, str]] = []
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self._ask, args=(actor,), daemon=True) for actor in actors]

    def _ask(self, actor) -> None:
        while self.running:
            for path in ("/my/collections", "/healthz"):
                started = self.phase
                try:
                    response = actor.client.get(path, headers={"Accept": "application/json"})
                    status, body = response.status_code, response.get_data(as_text=True)
                except Exception as error:  # noqa: BLE001  (an unhandled error is what the test looks for)
                    status, body = 0, repr(error)
                with self.lock:
                    self.answers.append((started, self.phase, path, status, body))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join(30)

    def answered_in(self, phase: str) -> list[tuple[str, int, str]]:
        """Answers to requests that started and ended wholly inside the phase."""
        with self.lock:
            return [(path, status, body) for began, ended, path, status, body in self.answers
                    if began == ended == phase]

    def wait_for(self, phase: str, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.answered_in(phase)) < count:
            assert time.monotonic() < deadline, f"only {len(self.answered_in(phase))} answers while {phase}"
            time.sleep(0.05)


def test_a_database_restart_under_load_fails_requests_cleanly_and_the_app_recovers_by_itself(
    app, own_postgres, signed_in
):
    actors = [signed_in(Role.LEARNER, f"Learner {n}") for n in range(CLIENTS)]
    with Load(actors) as load:
        load.wait_for("before", 2 * CLIENTS)
        load.phase = "stopping"
        stop(own_postgres)
        load.phase = "down"
        load.wait_for("down", 4 * CLIENTS)
        # A load balancer's probe, signed in as no one, hears the database is away.
        probe = new_client(app).get("/healthz")
        assert (probe.status_code, probe.get_json()) == (503, {"status": "unavailable", "database": False})
        page = actors[0].client.get("/my/collections")
        assert page.status_code == 503 and page.headers["Retry-After"] == "10"
        assert UNAVAILABLE in page.get_data(as_text=True) and 'lang="en"' in page.get_data(as_text=True)
        load.phase = "starting"
        start_again(own_postgres)
        load.phase = "after"
        load.wait_for("after", 4 * CLIENTS)

    every = [status for *_, status, _body in load.answers]
    assert set(every) <= {200, 503}, [a for a in load.answers if a[3] not in (200, 503)][:3]
    assert {status for _path, status, _body in load.answered_in("before")} == {200}

    down = load.answered_in("down")
    assert {status for _path, status, _body in down} == {503}
    for path, _status, body in down:
        # /healthz answers for itself, unless the signed-in session's lookup failed before it.
        said = '"database":false' in body.replace(" ", "") if path == "/healthz" else False
        assert said or UNAVAILABLE in body, body

    # The same process, its pool of connections cut by the restart, answers every request again.
    assert {status for _path, status, _body in load.answered_in("after")} == {200}
    for actor in actors:
        assert actor.client.get("/my/collections").status_code == 200


def test_after_a_quiet_restart_the_first_request_on_each_pooled_connection_is_answered(app, own_postgres, signed_in):
    """Connections the restart cut while nobody asked are noticed before use (pool_pre_ping), not on a learner."""
    actors = [signed_in(Role.LEARNER, f"Learner {n}") for n in range(CLIENTS)]
    with Load(actors) as load:  # every client holds the pool's connections busy at once
        load.wait_for("before", 2 * CLIENTS)
    stop(own_postgres)
    start_again(own_postgres)
    with Load(actors, phase="after") as load:
        load.wait_for("after", 2 * CLIENTS)
    assert {status for *_, status, _body in load.answers} == {200}
