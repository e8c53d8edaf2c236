"""Flask-Login wiring: sessions that can be revoked on every device at once."""
from datetime import timedelta

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user

from backpack.extensions import db
from backpack.models import User
from backpack.models.time import utcnow

SEEN_EVERY = timedelta(minutes=5)


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.signin"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=90)

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, token = session_id.partition(".")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_token != token:
            return None
        return user

    @app.before_request
    def note_last_seen():
        if current_user.is_authenticated:
            now = utcnow()
            if current_user.last_seen_at is None or now - current_user.last_seen_at > SEEN_EVERY:
                current_user.last_seen_at = now
                db.session.commit()


def start_session(user: User) -> None:
    """Sign the user in on this device for a long time: phones should not ask daily."""
    session.clear()
    session.permanent = True
    login_user(user)


def end_everywhere(user: User) -> None:
    """Sign the user out on every device by rotating the token in their session ids."""
    user.rotate_session_token()
    db.session.commit()
