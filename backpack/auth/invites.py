"""Single-use invite links: how a person without e-mail gets their first passkey."""
import hashlib
import hmac
import io
import secrets
from datetime import timedelta

import qrcode
import qrcode.image.svg
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from backpack import i18n
from backpack.auth import recovery, sessions
from backpack.extensions import db
from backpack.models import Invite, InvitePurpose, User
from backpack.models.time import utcnow
from backpack.web.origin import public_url
from backpack.web.refusal import Refusal


class InviteError(Refusal):
    """An invite that cannot be used, with what to tell the person holding it."""


UNKNOWN = _l("This invite link is not valid. Please ask your teacher for a new one.")
USED = _l("This invite link has already been used. Please sign in, or ask your teacher for a new one.")
REPLACED = _l("This invite link was replaced by a newer one. Please ask your teacher for the new link.")
EXPIRED = _l("This invite link has expired. Please ask your teacher for a new one.")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    user: User, *, created_by: User | None, purpose: InvitePurpose | None = None, language: str | None = None
) -> str:
    """Create a new invite for the user, replacing any open one, and return its token.

    An invite for someone who already has a passkey is a recovery link: they are told at once.
    Its page opens in `language` (an offered code; the caller checks it), by default the one the
    person reads or their last invite opened in, until the person picks one.
    """
    now = utcnow()
    language = language or usual_language(user)
    if purpose is None:
        purpose = InvitePurpose.ADD_PASSKEY if user.passkeys else InvitePurpose.ENROL
    for old in db.session.scalars(
        db.select(Invite).where(
            Invite.user_id == user.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None)
        )
    ):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)  # 256 bits
    invite = Invite(
        token_hash=_hash(token),
        purpose=purpose.value,
        role=user.role,
        user=user,
        created_by=created_by,
        language=language,
        expires_at=now + timedelta(hours=current_app.config["INVITE_TTL_HOURS"]),
    )
    db.session.add(invite)
    db.session.flush()
    recovery.announce_link(invite)
    return token


def find_open(token: str) -> Invite:
    """Return the open invite for a token, or raise InviteError saying why it cannot be used."""
    invite = find(token)
    ensure_open(invite)
    return invite


def find(token: str) -> Invite:
    """Return the invite for a token, open or not, or raise InviteError if there is none."""
    if not token or len(token) > 128:
        raise InviteError(UNKNOWN, 404)
    digest = _hash(token)
    invite = db.session.scalar(db.select(Invite).where(Invite.token_hash == digest))
    # The lookup is by hash; compare again in constant time so a near match leaks nothing.
    if invite is None or not hmac.compare_digest(invite.token_hash, digest):
        raise InviteError(UNKNOWN, 404)
    return invite


def ensure_open(invite: Invite) -> None:
    """Raise InviteError if the invite was used, replaced or has expired."""
    if invite.used_at is not None:
        raise InviteError(USED, 410)
    if invite.revoked_at is not None:
        raise InviteError(REPLACED, 410)
    if invite.expires_at <= utcnow():
        raise InviteError(EXPIRED, 410)


def use_up(invite: Invite) -> None:
    """Use the invite up, atomically, so two racing ceremonies cannot both redeem it."""
    ensure_open(invite)
    done = db.session.execute(
        db.update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if done != 1:
        raise InviteError(USED, 410)


def usual_language(user: User) -> str | None:
    """Return the language the person reads, or the one their last invite opened in, if known."""
    if user.preferred_language:
        return user.preferred_language
    return db.session.scalar(
        db.select(Invite.language)
        .where(Invite.user_id == user.id, Invite.language.is_not(None))
        .order_by(Invite.id.desc())
        .limit(1)
    )


def open_invite_of(user: User) -> Invite | None:
    """Return the user's unused, unexpired invite, if any."""
    return db.session.scalar(
        db.select(Invite).where(
            Invite.user_id == user.id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > utcnow(),
        )
    )


def link(token: str) -> str:
    """Return the absolute URL a person opens to redeem the invite."""
    return public_url("auth.invite", token=token)


def qr_svg(url: str) -> Markup:
    """Return an inline SVG QR code for the URL, safe to put in a page."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration: this goes inside HTML
    return Markup(svg)  # built from our own URL by qrcode: no user markup inside


SHOWN_KEY = "shown_invites"


def remember_for_display(user: User, token: str) -> None:
    """Keep a fresh token, sealed in the creator's sign-in, so a reload still shows the QR code.

    Never in the cookie: it is signed, not encrypted, and a live link signs someone in.
    The caller commits.
    """
    kept = sessions.session_secrets()
    shown = dict(kept.get(SHOWN_KEY, {}))
    shown.pop(str(user.id), None)
    shown[str(user.id)] = token
    sessions.keep_session_secrets({**kept, SHOWN_KEY: dict(list(shown.items())[-10:])})


def issue_again(user: User, *, by: User, chosen_language: str | None) -> str:
    """Make a new link for the person, kept for their card, opening in the language chosen for it,
    else the one they read, else the maker's (the caller commits)."""
    language = i18n.offered(chosen_language) or usual_language(user) or str(get_locale())
    token = issue(user, created_by=by, language=language)
    remember_for_display(user, token)
    return token


def displayable(user: User) -> str | None:
    """Return the token to show for the user's open invite, if this session created it."""
    token = sessions.session_secrets().get(SHOWN_KEY, {}).get(str(user.id))
    if not token:
        return None
    try:
        invite = find_open(token)
    except InviteError:
        return None
    return token if invite.user_id == user.id else None
