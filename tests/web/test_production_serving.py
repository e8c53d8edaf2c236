"""The production way of serving: gunicorn with the repository's configuration, health check, reload."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from backpack.config import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode(errors="replace")
        try:
            return requests.get(url, timeout=10)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.05)
    pytest.fail(f"gunicorn did not answer {url}")


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    instance = tmp_path / "instance"
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "BACKPACK_INSTANCE_PATH": str(instance),
        "BACKPACK_ORIGIN": f"http://localhost:{port}",
        "BACKPACK_NOTIFY_WORKER": "off",
        "FLASK_APP": "backpack",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "flask"), "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    process = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "backpack:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        yield process, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def test_gunicorn_serves_the_app_checks_the_database_and_reloads_gracefully(gunicorn):
    process, port = gunicorn
    health = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": True}
    page = requests.get(f"http://127.0.0.1:{port}/signin", headers={"Host": f"localhost:{port}"}, timeout=15)
    assert page.status_code == 200 and "passkey" in page.text.lower()
    foreign = requests.get(f"http://127.0.0.1:{port}/signin", headers={"Host": "evil.example"}, timeout=15)
    assert foreign.status_code == 400

    process.send_signal(signal.SIGHUP)  # graceful reload: new workers, no dropped service
    for _ in range(20):
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15).status_code == 200
    process.terminate()
    assert process.wait(timeout=30) == 0


@pytest.mark.parametrize(
    ("url", "settings", "pings"),
    [
        ("sqlite:///{folder}/backpack.db", {}, False),
        ("postgresql+psycopg://backpack@127.0.0.1:1/backpack", {}, True),
        ("sqlite:///{folder}/backpack.db", {"pool_pre_ping": True}, True),
    ],
)
def test_only_a_database_server_has_its_pooled_connections_pinged(tmp_path, url, settings, pings):
    """A server's connection can be cut by a restart; a SQLite file's cannot, and a ping per request is not free."""
    from backpack import create_app
    from backpack.extensions import db

    app = create_app({
        "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url.format(folder=tmp_path),
        "SQLALCHEMY_ENGINE_OPTIONS": settings, "NOTIFY_WORKER": "off",
    })
    with app.app_context():
        assert db.engine.pool._pre_ping is pings
