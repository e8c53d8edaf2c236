"""When each device and person was last seen: stamped off the request path, stored by the worker.

A page view must not write (see web.tallies), yet the account page lists devices by when
they were last used, and a sign-in lapses after LIFETIME unseen. So a request only tallies
its sign-in, at most once per SEEN_EVERY per device, and the worker stores the latest time.
"""
from datetime import datetime, timedelta

from flask import session
from flask_login import current_user

from backpack.account import bp
from backpack.auth.sessions import current_sign_in
from backpack.extensions import db
from backpack.models import SignIn, User
from backpack.models.time import utcnow
from backpack.notify.worker import periodic
from backpack.web.tallies import store, tally

SEEN_EVERY = timedelta(minutes=5)  # how stale a stored last-seen time may get
FLUSH_EVERY_SECONDS = 5
TALLY = "last-seen"


@bp.before_app_request
def note_last_seen() -> None:
    sign_in = current_sign_in() if current_user.is_authenticated else None
    if sign_in is None:
        return
    now = utcnow()
    if now - sign_in.last_seen_at > SEEN_EVERY:
        tally(TALLY).add(sign_in.id, now)
        session.modified = True  # the cookie's 90 days count from now too


def _write(sign_in_id: int, _count: int, when: datetime) -> None:
    db.session.execute(
        db.update(SignIn).where(SignIn.id == sign_in_id, SignIn.last_seen_at < when).values(last_seen_at=when)
    )
    owner = db.select(SignIn.user_id).where(SignIn.id == sign_in_id).scalar_subquery()
    db.session.execute(
        db.update(User)
        .where(User.id == owner, db.or_(User.last_seen_at.is_(None), User.last_seen_at < when))
        .values(last_seen_at=when)
    )


@periodic(FLUSH_EVERY_SECONDS)
def flush() -> int:
    """Store each tallied device's latest time on its sign-in and its person (caller commits)."""
    return store(tally(TALLY), _write)
