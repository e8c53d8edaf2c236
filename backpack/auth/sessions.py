"""Server-side sessions: the cookie names a SignIn row, and ending the row signs the device out.

Flask's session cookie is signed, not encrypted, so it keeps only what anyone holding it
may read: the CSRF token, flashed messages, and the random id of this device's sign-in.
The database keeps only that id's SHA-256. Flask-Login's user loader finds the row, and
refuses one that has ended, lost its passkey or lain unused for the session lifetime, so a
copied cookie stops working the moment its device is signed out, from anywhere.

Secrets a session must keep (a fresh invite link a teacher may show again) are stored in
the row, sealed with a key derived from the cookie's id, which the server never stores.
"""
import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy.orm import joinedload

from backpack.extensions import db
from backpack.models import Passkey, SignIn, User
from backpack.models.time import utcnow

# Flask's session key holding this device's random sign-in id.
KEY = "sign_in"
LIFETIME = timedelta(days=90)  # since last seen: phones should not ask daily
KEEP_ENDED = timedelta(days=90)  # how long ended sign-ins stay listed on the account page
_CACHE = "backpack_sign_in"


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.signin"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"
    app.config["PERMANENT_SESSION_LIFETIME"] = LIFETIME
    # The cookie is re-sent only when the session changes (and when last seen is stamped,
    # in account.last_seen): re-sending it on every response let a slow response (a script, the service
    # worker's update check) put back an older cookie over a newer one, losing a message.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        sign_in = current_sign_in()
        if sign_in is None or str(sign_in.user_id) != user_id:
            return None
        return sign_in.user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _find(raw) -> SignIn | None:
    if not isinstance(raw, str) or not 0 < len(raw) <= 100:
        return None
    digest = _digest(raw)
    query = db.select(SignIn).options(joinedload(SignIn.user)).where(SignIn.token_hash == digest)
    found = db.session.scalar(query)  # one query per request finds the session and its person
    if found is None or not hmac.compare_digest(found.token_hash, digest) or not found.is_live:
        return None
    if utcnow() - found.last_seen_at > LIFETIME:
        return None
    return found


def current_sign_in() -> SignIn | None:
    """Return this device's live sign-in, or None (looked up once per request)."""
    if not has_request_context():
        return None
    if _CACHE not in g:
        setattr(g, _CACHE, _find(session.get(KEY)))
    return getattr(g, _CACHE)


def is_this_device(sign_in: SignIn) -> bool:
    current = current_sign_in()
    return current is not None and current.id == sign_in.id


def start_session(user: User, passkey: Passkey, method: str) -> SignIn:
    """Sign the user in on this device with a fresh random id (the caller commits).

    The browser's earlier sign-in, if any, ends: a session id planted before sign-in is
    worth nothing after it.
    """
    previous = current_sign_in()
    if previous is not None:
        end([previous])
    session.clear()
    session.permanent = True
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    _forget_old(user, now)
    sign_in = SignIn(
        token_hash=_digest(raw),
        user=user,
        passkey=passkey,
        invite_id=passkey.invite_id,
        method=method,
        device=device_label(request.headers.get("User-Agent", "")),
        created_at=now,
        last_seen_at=now,
    )
    user.last_seen_at = now
    db.session.add(sign_in)
    db.session.flush()
    session[KEY] = raw
    setattr(g, _CACHE, sign_in)
    login_user(user)
    return sign_in


def _forget_old(user: User, now) -> None:
    """Delete the person's sign-ins that ended, or went unused, long ago."""
    cutoff = now - KEEP_ENDED
    db.session.execute(
        db.delete(SignIn)
        .where(SignIn.user_id == user.id, (SignIn.ended_at < cutoff) | (SignIn.last_seen_at < cutoff))
        .execution_options(synchronize_session=False)
    )


def end(sign_ins) -> bool:
    """End these sign-ins; tell whether this device's was one of them (the caller commits).

    When it was, the caller signs this device out with sign_out_here().
    """
    now = utcnow()
    ended = [sign_in for sign_in in sign_ins if sign_in.ended_at is None]
    this_device = any(is_this_device(sign_in) for sign_in in ended)
    for sign_in in ended:
        sign_in.ended_at = now
    db.session.flush()
    return this_device


def sign_out_here() -> None:
    """Forget this device's sign-in in its cookie; Flask-Login tells its listeners."""
    logout_user()  # notify forgets this device's push subscription (user_logged_out)
    session.pop(KEY, None)
    setattr(g, _CACHE, None)


def sign_out() -> None:
    """Sign out on this device: its sign-in ends, so a copy of the cookie is refused too."""
    sign_in = current_sign_in()
    if sign_in is not None:
        end([sign_in])
    sign_out_here()


def sign_out_everywhere(user: User) -> None:
    """End every sign-in of the user and stop all their devices' notifications; sign out here."""
    end(live_sign_ins(user))
    user.rotate_session_token()
    sign_out_here()


def live_sign_ins(user: User) -> list[SignIn]:
    """Return the devices the user is signed in on now, the most recently seen first."""
    cutoff = utcnow() - LIFETIME
    return list(
        db.session.scalars(
            db.select(SignIn)
            .where(
                SignIn.user_id == user.id,
                SignIn.ended_at.is_(None),
                SignIn.passkey_id.is_not(None),
                SignIn.last_seen_at > cutoff,
            )
            .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc())
        )
    )


def sign_ins_with(passkey: Passkey) -> list[SignIn]:
    """Return the live sign-ins this passkey made."""
    return list(
        db.session.scalars(db.select(SignIn).where(SignIn.passkey_id == passkey.id, SignIn.ended_at.is_(None)))
    )


def recent_sign_ins(user: User, limit: int = 20) -> list[SignIn]:
    """Return the user's latest sign-ins, ended ones too, newest first."""
    return list(
        db.session.scalars(
            db.select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.created_at.desc(), SignIn.id.desc()).limit(limit)
        )
    )


# --- secrets kept by this session, sealed --------------------------------------------


def _sealer() -> Fernet | None:
    raw = session.get(KEY)
    if not isinstance(raw, str) or not raw:
        return None
    # Not the token hash: that is stored, and the key must not be.
    key = hmac.new(raw.encode(), b"backpack: sealed session data", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def session_secrets() -> dict:
    """Return the secrets this signed-in session keeps (empty when there are none)."""
    sign_in, sealer = current_sign_in(), _sealer()
    if sign_in is None or sealer is None or not sign_in.sealed:
        return {}
    try:
        return json.loads(sealer.decrypt(sign_in.sealed.encode()))
    except (InvalidToken, ValueError):
        return {}


def keep_session_secrets(values: dict) -> None:
    """Replace this signed-in session's secrets (the caller commits); no session, nothing kept."""
    sign_in, sealer = current_sign_in(), _sealer()
    if sign_in is not None and sealer is not None:
        sign_in.sealed = sealer.encrypt(json.dumps(values).encode()).decode()


# --- names for other features --------------------------------------------------------


def handle(sign_in: SignIn) -> str:
    """A short, stable, non-secret name of a sign-in (for rows that belong to one device's session)."""
    return sign_in.token_hash[:16]


def current_handle() -> str | None:
    """Return the handle of this device's sign-in, if signed in."""
    sign_in = current_sign_in()
    return handle(sign_in) if sign_in is not None else None


def live_handles(user: User) -> set[str]:
    """Return the handles of the user's live sign-ins."""
    return {handle(sign_in) for sign_in in live_sign_ins(user)}


def device_label(user_agent: str) -> str:
    """Name the device as people recognise it, such as "Chrome · Android", from the browser."""
    agent = user_agent or ""
    browser = next(
        (name for needle, name in (
            ("Edg/", "Edge"), ("SamsungBrowser", "Samsung Internet"), ("Firefox", "Firefox"),
            ("CriOS", "Chrome"), ("Chrome", "Chrome"), ("Safari", "Safari"),
        ) if needle in agent),
        "Browser",
    )
    system = next(
        (name for needle, name in (
            ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS", "Mac"), ("CrOS", "Chromebook"), ("Linux", "Linux"),
        ) if needle in agent),
        None,
    )
    return f"{browser} · {system}" if system else browser
