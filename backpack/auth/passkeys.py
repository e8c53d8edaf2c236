"""WebAuthn ceremonies with py_webauthn: challenges live server-side, used once.

The browser's cookie holds a random nonce for its ceremony; the challenge row is found by
the nonce's hash, so neither the challenge nor its row id is in the cookie.

These functions add and flush; the views commit. Finishing a ceremony is two steps so that
the view commits in between: take_challenge() deletes the challenge, and once that is
committed a replayed answer finds nothing, even when checking this one then fails and the
request rolls back.
"""
import base64
import hashlib
import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from backpack.auth import recovery
from backpack.extensions import db
from backpack.models import Invite, Passkey, User, WebAuthnChallenge
from backpack.models.time import utcnow
from backpack.web.origin import public_origin
from backpack.web.refusal import Refusal

SESSION_KEY = "ceremony"


class CeremonyError(Refusal):
    """A ceremony that failed, with a message for the person."""


EXPIRED = _l("The passkey request timed out. Please try again.")
FAILED = _l("Your passkey could not be checked. Please try again.")
UNKNOWN_PASSKEY = _l("This passkey is not known here. It may have been removed. Ask your teacher for a new invite.")
ALREADY_REGISTERED = _l("This passkey is already registered.")


def origin() -> str:
    """Return the origin browsers must report."""
    return public_origin()


def rp_id() -> str:
    return urlsplit(origin()).hostname


def _row_id(nonce: str) -> str:
    """The challenge row's id: the SHA-256 of the cookie's nonce (43 characters of base64url)."""
    return base64.urlsafe_b64encode(hashlib.sha256(nonce.encode()).digest()).rstrip(b"=").decode()


def _store_challenge(challenge: bytes, ceremony: str, user=None, invite=None) -> None:
    now = utcnow()
    # Ceremonies started and never finished leave their rows behind: clear the expired ones.
    db.session.execute(
        db.delete(WebAuthnChallenge)
        .where(WebAuthnChallenge.expires_at < now)
        .execution_options(synchronize_session=False)
    )
    nonce = secrets.token_urlsafe(32)
    row = WebAuthnChallenge(
        id=_row_id(nonce),
        challenge=challenge,
        ceremony=ceremony,
        user_id=user.id if user else None,
        invite_id=invite.id if invite else None,
        expires_at=now + timedelta(seconds=current_app.config["WEBAUTHN_CHALLENGE_TTL_SECONDS"]),
    )
    db.session.add(row)
    db.session.flush()
    session[SESSION_KEY] = nonce


def take_challenge(ceremony: str) -> WebAuthnChallenge | None:
    """Delete this browser's pending challenge and return it; commit before checking the answer.

    None when there is none, it is for another ceremony, or a racing request took it first.
    """
    nonce = session.pop(SESSION_KEY, None)
    valid = isinstance(nonce, str) and 0 < len(nonce) <= 100
    row = db.session.get(WebAuthnChallenge, _row_id(nonce)) if valid else None
    if row is None or row.ceremony != ceremony:
        return None
    deleted = db.session.execute(
        db.delete(WebAuthnChallenge).where(WebAuthnChallenge.id == row.id)
    ).rowcount
    return row if deleted == 1 else None


def _usable(pending: WebAuthnChallenge | None, ceremony: str) -> WebAuthnChallenge:
    if pending is None or pending.ceremony != ceremony or pending.expires_at <= utcnow():
        raise CeremonyError(EXPIRED)
    return pending


def registration_options(user: User, invite: Invite | None = None) -> str:
    """Start adding a passkey to the user; return the options as JSON."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=current_app.config["BACKPACK_NAME"],
        user_id=user.webauthn_handle,
        user_name=user.display_name,
        user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys
        ],
    )
    _store_challenge(options.challenge, "register", user=user, invite=invite)
    return options_to_json(options)


def finish_registration(
    pending: WebAuthnChallenge | None, credential_json: str, name: str
) -> tuple[User, Passkey, Invite | None]:
    """Check the authenticator's answer to the taken challenge and keep the new passkey."""
    pending = _usable(pending, "register")
    user = db.session.get(User, pending.user_id)
    invite = db.session.get(Invite, pending.invite_id) if pending.invite_id else None
    if user is None:
        raise CeremonyError(FAILED)
    try:
        verified = verify_registration_response(
            credential=credential_json,
            expected_challenge=pending.challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        current_app.logger.info("passkey registration refused", exc_info=True)
        raise CeremonyError(FAILED) from None
    if db.session.scalar(
        db.select(Passkey.id).where(Passkey.credential_id == verified.credential_id)
    ):
        raise CeremonyError(ALREADY_REGISTERED, 409)
    had_passkeys = bool(user.passkeys)
    passkey = Passkey(
        user=user,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(_transports(credential_json)),
        name=name,
        last_used_at=utcnow(),
    )
    recovery.label(passkey, invite, had_passkeys=had_passkeys)
    db.session.add(passkey)
    return user, passkey, invite


def _transports(credential_json: str) -> list[str]:
    try:
        transports = json.loads(credential_json)["response"].get("transports") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
    return [t for t in transports if isinstance(t, str) and t.isalnum()][:8]


def authentication_options() -> str:
    """Start a sign-in with a discoverable passkey: no user name to type."""
    options = generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.PREFERRED
    )
    _store_challenge(options.challenge, "authenticate")
    return options_to_json(options)


def finish_authentication(pending: WebAuthnChallenge | None, credential_json: str) -> Passkey:
    """Check a sign-in answer to the taken challenge and return the passkey it proves."""
    pending = _usable(pending, "authenticate")
    try:
        raw_id = base64url_to_bytes(json.loads(credential_json)["rawId"])
    except (ValueError, KeyError, TypeError):
        raise CeremonyError(FAILED) from None
    passkey = db.session.scalar(db.select(Passkey).where(Passkey.credential_id == raw_id))
    if passkey is None:
        raise CeremonyError(UNKNOWN_PASSKEY, 401)
    try:
        verified = verify_authentication_response(
            credential=credential_json,
            expected_challenge=pending.challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        current_app.logger.info("passkey sign-in refused", exc_info=True)
        raise CeremonyError(FAILED, 401) from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    return passkey

