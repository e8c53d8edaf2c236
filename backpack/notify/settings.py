"""Notification settings from environment variables; create_app's test_config still wins."""
import os
from urllib.parse import urlsplit

from flask import Flask


def _subject(env) -> str:
    """Whom push services may contact about our messages: a mailto: or https: URL.

    Some push services refuse a "localhost" contact, so a public origin is preferred.
    """
    if env.get("BACKPACK_VAPID_SUBJECT"):
        return env["BACKPACK_VAPID_SUBJECT"]
    origin = urlsplit(env.get("BACKPACK_ORIGIN", ""))
    if origin.scheme == "https" and origin.hostname:
        return f"https://{origin.hostname}"
    return f"mailto:admin@{origin.hostname or 'localhost'}"


def defaults(env=None) -> dict:
    """Return every NOTIFY_* setting with its default."""
    env = os.environ if env is None else env
    return {
        # "thread": deliver from a daemon thread of the web process; "off": leave it to
        # `flask --app backpack worker` (or RQ workers when REDIS_URL is set).
        "NOTIFY_WORKER": env.get("BACKPACK_NOTIFY_WORKER", "thread"),
        "NOTIFY_REDIS_URL": env.get("REDIS_URL") or None,
        "NOTIFY_VAPID_SUBJECT": _subject(env),
        "NOTIFY_VAPID_PRIVATE_KEY": env.get("BACKPACK_VAPID_PRIVATE_KEY") or None,
        # Only for tests and local development: accept http:// push endpoints on loopback.
        "NOTIFY_ALLOW_LOCAL_ENDPOINTS": env.get("BACKPACK_NOTIFY_ALLOW_LOCAL_ENDPOINTS") == "1",
        "NOTIFY_TIMEOUT_SECONDS": float(env.get("BACKPACK_NOTIFY_TIMEOUT_SECONDS", "10")),
        "NOTIFY_POLL_SECONDS": 1.0,
        "NOTIFY_THREADS": int(env.get("BACKPACK_NOTIFY_THREADS", "8")),
        "NOTIFY_BATCH": 50,
        # Long WORK (a big award's signing) from the web process's thread runs in a child process
        # at this much lower CPU priority, so pages come first: "auto" (not in tests), "1" or "0".
        "NOTIFY_WORK_PROCESS": {"1": True, "0": False}.get(env.get("BACKPACK_WORK_PROCESS", "auto"), "auto"),
        "NOTIFY_WORK_NICENESS": int(env.get("BACKPACK_WORK_NICENESS", "10")),
        # A claimed row whose worker died is claimed again after this long; the sending
        # worker renews its claims every third of it while its sends are under way.
        "NOTIFY_LEASE_SECONDS": float(env.get("BACKPACK_NOTIFY_LEASE_SECONDS", "15")),
        "NOTIFY_MAX_ATTEMPTS": 10,
        "NOTIFY_RETRY_BASE_SECONDS": float(env.get("BACKPACK_NOTIFY_RETRY_BASE_SECONDS", "5")),
        "NOTIFY_RETRY_MAX_SECONDS": 3600.0,
        "NOTIFY_MAX_DEVICES": 20,
        "NOTIFY_KEEP_DAYS": 30,
    }


def apply(app: Flask) -> None:
    """Fill in the settings the app was not given."""
    for key, value in defaults().items():
        app.config.setdefault(key, value)
