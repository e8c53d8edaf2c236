"""Web Push notifications: subscriptions, an outbox written with each event, reliable delivery.

Other features call enqueue_for(user, kind, **params) inside their own transaction; see
events.py for the kinds, worker.py and delivery.py for how rows reach the phones.

Feature functions add and flush; the views commit. The delivery worker is the one exception: it is an entry point
like a CLI command, so worker.py and delivery.py commit each claim and each outcome themselves.
"""
from dataclasses import dataclass

from flask import Blueprint, Flask
from flask_login import user_logged_out

from backpack.notify import settings, vapid
from backpack.notify.events import enqueue_for, event

__all__ = ["bp", "enqueue_for", "event"]

# cli_group=None puts the blueprint's commands at the top: `flask --app backpack worker`.
bp = Blueprint("notify", __name__, cli_group=None)


@dataclass
class NotifyState:
    """What the notification feature keeps per app (app.extensions["notify"])."""

    app: Flask
    vapid: vapid.VapidKey
    dispatch: object | None
    _worker: object | None = None

    def worker(self):
        """Return this process's Worker (for RQ jobs and `worker --once`), made on first use."""
        from backpack.notify.worker import Worker

        if self._worker is None:
            self._worker = Worker(self.app)
        return self._worker

    def start_worker(self) -> None:
        """Start the in-process delivery thread (tests call this; apps start it on first request)."""
        self.dispatch.start()


def _dispatch_for(app: Flask):
    from backpack.notify.worker import QueueDispatch, ThreadDispatch

    if app.config["NOTIFY_REDIS_URL"]:
        return QueueDispatch.from_url(app.config["NOTIFY_REDIS_URL"])
    if app.config["NOTIFY_WORKER"] == "thread":
        return ThreadDispatch(app)
    return None  # "off": a separate `flask --app backpack worker` polls the outbox


@bp.record_once
def init_app(state) -> None:
    """Settings, the VAPID key, delivery, forgetting devices on sign-out, telling people about recovery."""
    from pathlib import Path

    from backpack.notify import recovery_alerts, subscriptions

    app = state.app
    settings.apply(app)
    key = vapid.load(Path(app.instance_path), app.config["NOTIFY_VAPID_PRIVATE_KEY"])
    vapid.check_subject(key, app.config["NOTIFY_VAPID_SUBJECT"])
    notify = NotifyState(app, key, _dispatch_for(app))
    app.extensions["notify"] = notify
    user_logged_out.connect(subscriptions.forget_on_sign_out, app)
    recovery_alerts.connect(app)

    auto_start = hasattr(notify.dispatch, "start") and not app.testing

    @app.before_request
    def start_delivery_thread():
        # Started by the first request, so commands (init, db migrate, demo) never run it.
        if auto_start and not notify.dispatch.running:
            notify.dispatch.start()
