"""A local push service, devices for people, and a worker to drain the outbox on demand."""
import pytest
from flask_babel import force_locale, gettext

from backpack.extensions import db
from backpack.models import PushSubscription, Role
from tests.support.push_service import PushService, b64url
from tests.support.sign_ins import live_handle


@pytest.fixture
def push_service(app):
    """A push service on 127.0.0.1 that checks VAPID with the app's key and decrypts."""
    app.config.update(
        NOTIFY_ALLOW_LOCAL_ENDPOINTS=True,
        NOTIFY_RETRY_BASE_SECONDS=0.05,
        NOTIFY_TIMEOUT_SECONDS=2.0,
    )
    service = PushService(app.extensions["notify"].vapid.public_key).start()
    yield service
    service.stop()


@pytest.fixture
def add_device(app, push_service):
    """Give a person a phone subscribed at the push service, as the settings page would."""

    def add(user, name: str | None = None):
        device = push_service.device(name or f"phone-{len(push_service.devices) + 1}")
        db.session.add(
            PushSubscription(
                user_id=user.id,
                endpoint=device.endpoint,
                p256dh=device.p256dh,
                auth=b64url(device.auth),
                label="Chrome · Android",
                session_hash=live_handle(user),
            )
        )
        db.session.commit()
        return device

    return add


@pytest.fixture
def deliver(app):
    """Run one worker pass, as the worker thread or `flask worker --once` would."""
    worker = app.extensions["notify"].worker()

    def run() -> int:
        db.session.commit()  # end the test's read transaction, so it sees the worker's writes
        taken = worker.drain()
        db.session.expire_all()
        return taken

    yield run
    worker.pool.shutdown(wait=True)


@pytest.fixture
def school(app, make_user, make_issuer, make_achievement):
    """A teacher, an issuer, and a badge translated into Spanish and Arabic."""
    teacher = make_user(Role.TEACHER, "Ms Okafor")
    issuer = make_issuer(teacher)
    badge = make_achievement(
        issuer,
        by=teacher,
        name="Safe welding",
        translations={"es": {"name": "Soldadura segura"}, "ar": {"name": "لحام آمن"}},
    )
    return teacher, issuer, badge


def say(locale: str, message: str, **variables) -> str:
    """Return what the app says in a language (its catalogues, as the recipient reads them)."""
    with force_locale(locale):
        return gettext(message, **variables)
