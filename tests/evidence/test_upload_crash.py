"""Kill -9 the app while it stores an upload: nothing half-kept survives the worker's sweep,
and the phone's retry (same idempotency key) stores the item exactly once."""
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from flask_wtf.csrf import generate_csrf

from backpack import create_app
from backpack.config import ROOT
from backpack.extensions import db
from backpack.models import Evidence, Passkey, Role, SignIn, SignInMethod, User
from tests.evidence import samples

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def deployment(tmp_path):
    """An instance shared by the app server (its own process), the worker and this test."""
    port = _free_port()
    instance = tmp_path / "instance"
    database = f"sqlite:///{tmp_path / 'backpack.db'}"
    env = {
        **os.environ,
        "BACKPACK_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database,
        "BACKPACK_ORIGIN": f"http://localhost:{port}",
        "BACKPACK_NOTIFY_WORKER": "off",
        "FLASK_APP": "backpack",
        "PYTHONPATH": str(ROOT),
    }
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.create_all()
    yield app, env, port
    with app.app_context():
        db.engine.dispose()


def signed_in_cookie(app) -> tuple[str, str]:
    """A learner with a live sign-in, and the session cookie and CSRF token their phone holds."""
    raw = secrets.token_urlsafe(32)
    with app.app_context():
        learner = User(display_name="Lucía", role=Role.LEARNER.value)
        passkey = Passkey(user=learner, credential_id=secrets.token_bytes(16), public_key=b"test", name="Phone")
        db.session.add_all([learner, passkey])
        db.session.flush()
        db.session.add(SignIn(
            token_hash=hashlib.sha256(raw.encode()).hexdigest(), user_id=learner.id, passkey_id=passkey.id,
            method=SignInMethod.PASSKEY.value, device="Chrome · Android",
        ))
        db.session.commit()
        user_id = learner.id
    with app.test_request_context():
        from flask import session

        token = generate_csrf()
        session.update({"sign_in": raw, "_user_id": str(user_id), "_fresh": True})
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={cookie}", token


def start_server(env, port) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "flask"), "run", "--port", str(port), "--no-reload", "--no-debugger"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app did not start"
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", headers={"Host": f"localhost:{port}"}, timeout=5)
            return process
        except requests.ConnectionError:
            time.sleep(0.05)
    pytest.fail("the app did not answer")


def upload(port, cookie, token, key, body):
    origin = f"http://localhost:{port}"
    return requests.post(
        f"http://127.0.0.1:{port}/evidence",
        headers={"Host": f"localhost:{port}", "Cookie": cookie, "Accept": "application/json",
                 "Origin": origin, "Referer": origin + "/evidence"},
        data={"csrf_token": token, "idempotency_key": key},
        files={"file": ("clip.mp4", body, "video/mp4")},
        timeout=120,
    )


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def test_an_app_killed_while_storing_an_upload_leaves_nothing_after_the_sweep_and_the_retry_stores_it_once(deployment):
    app, env, port = deployment
    cookie, token = signed_in_cookie(app)
    media = Path(app.config["MEDIA_PATH"])
    incoming = media / ".incoming"
    key = str(uuid.uuid4())
    body = samples.mp4(seconds=20, mdat=60_000_000)  # big enough that storing it takes a while

    server = start_server(env, port)
    answers = []
    sender = threading.Thread(target=lambda: answers.append(_try(upload, port, cookie, token, key, body)))
    sender.start()
    while server.poll() is None and not any(incoming.iterdir()) and sender.is_alive():
        time.sleep(0.001)  # watch for the moment the app starts writing the file
    server.send_signal(signal.SIGKILL)  # mid-write: the file is partly on disk, its row not committed
    server.wait(10)
    sender.join(30)
    assert answers and isinstance(answers[0], requests.RequestException), "the upload finished before the kill"

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Evidence.id))) == 0
    left = stored_files(media)
    assert left, "the kill left nothing to sweep (it came too late to test anything)"

    # An hour later the worker's sweep finds what the dead process left and removes it.
    past = time.time() - 2 * 3600
    for path in left:
        os.utime(path, (past, past))
    subprocess.run([str(BIN / "flask"), "worker", "--once"], env=env, cwd=ROOT, check=True, capture_output=True)
    assert stored_files(media) == []

    # The phone kept the item and sends it again with the same key: stored once, row and file together.
    server = start_server(env, port)
    try:
        first = upload(port, cookie, token, key, body)
        again = upload(port, cookie, token, key, body)
    finally:
        server.terminate()
        server.wait(20)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    with app.app_context():
        [item] = db.session.scalars(db.select(Evidence)).all()
        kept = {item.object_key} | ({item.thumbnail_key} if item.thumbnail_key else set())
    assert {path.name for path in stored_files(media)} == kept


def _try(function, *args):
    try:
        return function(*args)
    except requests.RequestException as error:
        return error
