"""Kill the app between the award's commit and the push: the worker delivers it after the restart."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from backpack import create_app
from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.issuers import create_issuer
from backpack.models import Outbox, OutboxStatus, PushSubscription, Role, User
from tests.conftest import tiny_png
from tests.support.push_service import PushService, b64url
from tests.support.sign_ins import live_handle

ROOT = Path(__file__).resolve().parents[2]

# The app as its own process: award, commit, say so, then wait to be killed.
AWARD_THEN_WAIT = textwrap.dedent(
    """
    import sys, time
    from backpack import create_app
    from backpack.extensions import db
    from backpack.issuing import awarding
    from backpack.models import Achievement, User

    app = create_app()
    with app.app_context():
        if sys.argv[1] == "with-worker":
            app.extensions["notify"].start_worker()
        teacher = db.session.scalar(db.select(User).where(User.display_name == "Teacher"))
        learner = db.session.scalar(db.select(User).where(User.display_name == "Lucía"))
        awarding.award(db.session.scalar(db.select(Achievement)), [learner], by=teacher)
        db.session.commit()
        print("committed", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture
def database_url(tmp_path) -> str:
    """The database the processes share (tests/scale runs these tests again on PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'backpack.db'}"


@pytest.fixture
def deployment(tmp_path, database_url):
    """An instance folder and database shared by the app, the killed process and the worker."""
    instance = tmp_path / "instance"
    database = database_url
    env = {
        **os.environ,
        "BACKPACK_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database,
        "BACKPACK_NOTIFY_ALLOW_LOCAL_ENDPOINTS": "1",
        "BACKPACK_NOTIFY_LEASE_SECONDS": "1",
        "BACKPACK_NOTIFY_TIMEOUT_SECONDS": "2",
        "PYTHONPATH": str(ROOT),
    }
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database, "TESTING": True})
    service = PushService(app.extensions["notify"].vapid.public_key).start()
    with app.app_context():
        db.create_all()
        teacher = User(display_name="Teacher", role=Role.TEACHER.value)
        learner = User(display_name="Lucía", role=Role.LEARNER.value, preferred_language="es")
        db.session.add_all([teacher, learner])
        issuer = create_issuer("Riverside Adult School", members=[teacher], url="https://riverside.example")
        create_achievement(
            issuer, by=teacher, name="Safe welding", description="Welds safely.", criteria="A joint that passes.",
            image_png=tiny_png(), translations={"es": {"name": "Soldadura segura"}},
        )
        phone = service.device("phone")
        db.session.flush()
        db.session.add(PushSubscription(
            user_id=learner.id, endpoint=phone.endpoint, p256dh=phone.p256dh, auth=b64url(phone.auth),
            label="Chrome · Android", session_hash=live_handle(learner),
        ))
        db.session.commit()
    yield app, env, service
    service.stop()
    with app.app_context():
        db.engine.dispose()


def start_app(env, mode: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", AWARD_THEN_WAIT, mode],
        env={**env, "BACKPACK_NOTIFY_WORKER": "off" if mode == "no-worker" else "thread"},
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    assert line.strip() == "committed", process.stderr.read()
    return process


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    process.stdout.close()
    process.stderr.close()


def run_worker_once(env, timeout: float = 60) -> str:
    """Run `flask worker --once` as its own process, as an operator would after a crash; return what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "backpack", "worker", "--once"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def outbox(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(row.status, row.attempts) for row in db.session.scalars(db.select(Outbox))]


def test_killed_right_after_the_commit(deployment):
    app, env, service = deployment
    kill(start_app(env, "no-worker"))
    assert outbox(app) == [(OutboxStatus.PENDING, 0)]
    assert service.attempts == []

    assert "Delivered 1 notification(s)." in run_worker_once(env)
    [message] = service.delivered()
    assert message.payload["title"] == "Conseguiste una insignia: Soldadura segura"
    assert service.errors == []
    assert outbox(app) == [(OutboxStatus.SENT, 1)]


def test_killed_while_the_push_was_on_its_way(deployment):
    app, env, service = deployment
    service.answer("phone", ("hang", 30))  # the push service has not answered when the app dies
    process = start_app(env, "with-worker")
    assert service.wait_for_started(1, timeout=10) == 1
    kill(process)
    assert outbox(app) == [(OutboxStatus.SENDING, 1)]

    with app.app_context():  # wait out the dead worker's claim
        claimed_until = db.session.scalar(db.select(Outbox.claimed_until))
    time.sleep(max(0.0, claimed_until.timestamp() - time.time()) + 0.2)
    run_worker_once(env)
    [message] = service.delivered()
    assert message.payload["title"] == "Conseguiste una insignia: Soldadura segura"
    assert outbox(app) == [(OutboxStatus.SENT, 2)]
