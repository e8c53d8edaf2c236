"""Devices that get notifications: check what the browser sends, keep it, forget it on sign-out.

Sign-out is handled on the server: the subscription made in a session is remembered in
that session, and Flask-Login's user_logged_out signal deletes it. That works when the
page's JavaScript does not run (an old tab, a failed script) and covers "sign out on all
devices", which rotates the session token: subscriptions of older sign-ins are deleted too.
"""
import base64
import binascii
import json
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app, session
from flask_babel import lazy_gettext as _l

from backpack.auth import sessions
from backpack.extensions import db
from backpack.models import PushSubscription, User
from backpack.notify import endpoints
from backpack.notify.vapid import b64url
from backpack.web.refusal import Refusal

SESSION_KEY = "push_subscription"
MAX_JSON_CHARS = 4096
BASE64 = re.compile(r"^[A-Za-z0-9_\-+/]+={0,2}$")


class SubscriptionError(Refusal):
    """A subscription the browser sent that cannot be used."""


MALFORMED = _l("This browser sent a subscription we could not read. Please try again.")


@dataclass(frozen=True)
class SubscriptionInfo:
    endpoint: str
    p256dh: str
    auth: str


def _decode(text) -> bytes | None:
    if not isinstance(text, str) or not BASE64.match(text):
        return None
    try:
        return base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_").rstrip("=") + "==")
    except (binascii.Error, ValueError):
        return None


def parse(text: str) -> SubscriptionInfo:
    """Read PushSubscription.toJSON(): endpoint, a P-256 public key and a 16-byte auth secret."""
    if not isinstance(text, str) or len(text) > MAX_JSON_CHARS:
        raise SubscriptionError(MALFORMED)
    try:
        data = json.loads(text)
    except ValueError:
        raise SubscriptionError(MALFORMED) from None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, dict) or not isinstance(data.get("endpoint"), str):
        raise SubscriptionError(MALFORMED)
    point, secret = _decode(keys.get("p256dh")), _decode(keys.get("auth"))
    if point is None or secret is None or len(point) != 65 or len(secret) != 16:
        raise SubscriptionError(MALFORMED)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise SubscriptionError(MALFORMED) from None
    return SubscriptionInfo(data["endpoint"], b64url(point), b64url(secret))


device_label = sessions.device_label  # the same name the account page gives the sign-in


def devices_of(user: User) -> list[PushSubscription]:
    """Return the devices of the user's live sign-ins, oldest first."""
    return list(
        db.session.scalars(
            db.select(PushSubscription)
            .where(PushSubscription.user_id == user.id, PushSubscription.session_hash.in_(sessions.live_handles(user)))
            .order_by(PushSubscription.created_at)
        )
    )


def _make_room(user: User) -> None:
    """Keep at most NOTIFY_MAX_DEVICES per person: the longest-silent device makes way."""
    limit = current_app.config["NOTIFY_MAX_DEVICES"]
    devices = sorted(
        db.session.scalars(db.select(PushSubscription).where(PushSubscription.user_id == user.id)),
        key=lambda d: (d.last_success_at or d.created_at, d.id),
    )
    for device in devices[: max(0, len(devices) - limit + 1)]:
        db.session.delete(device)


def save(user: User, info: SubscriptionInfo, label: str) -> tuple[PushSubscription, bool]:
    """Store this device for the user (moving it from whoever had it); True when new to them.

    The caller commits. The endpoint is checked first, so a refused one is never stored.
    """
    endpoints.check(info.endpoint, allow_local=current_app.config["NOTIFY_ALLOW_LOCAL_ENDPOINTS"])
    found = db.session.scalar(db.select(PushSubscription).where(PushSubscription.endpoint == info.endpoint))
    created = found is None or found.user_id != user.id
    if found is not None and found.user_id != user.id:
        # One phone, a new person signed in: the device is theirs now.
        db.session.delete(found)
        db.session.flush()
        found = None
    if found is None:
        _make_room(user)
        found = PushSubscription(user_id=user.id, endpoint=info.endpoint)
        db.session.add(found)
    found.p256dh, found.auth, found.label = info.p256dh, info.auth, label[:80]
    # Bound to this device's sign-in: when it ends (here or from another device), so do the pushes.
    found.session_hash = sessions.current_handle()
    found.failures = 0
    db.session.flush()
    session[SESSION_KEY] = found.id
    return found, created


def this_device_id() -> int | None:
    """Return the id of the subscription made in this session, if any."""
    return session.get(SESSION_KEY)


def remove(subscription: PushSubscription) -> None:
    """Stop notifications to this device (the caller commits)."""
    if session.get(SESSION_KEY) == subscription.id:
        session.pop(SESSION_KEY)
    db.session.delete(subscription)


def forget_on_sign_out(sender, user=None, **extra) -> None:
    """On sign-out, delete this session's device and any device of an ended sign-in (the view commits)."""
    subscription_id = session.pop(SESSION_KEY, None)
    if user is None or not getattr(user, "is_authenticated", False):
        return
    live = sessions.live_handles(user)
    db.session.execute(
        db.delete(PushSubscription)
        .where(
            PushSubscription.user_id == user.id,
            (PushSubscription.id == subscription_id) | PushSubscription.session_hash.not_in(live),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
