"""Authorization codes and tokens: issued, found by hash, used once, revoked.

Only SHA-256 hashes are stored. A code is single-use and kept after use, so a replayed one
is recognised: it is refused and every token it gave (refreshed ones included) is revoked,
as RFC 6749 section 4.1.2 asks. A refresh token is rotated on every use; presenting one that
was already rotated away revokes the whole family the same way (OAuth 2.0 Security BCP).
"""
import secrets
from datetime import timedelta

from backpack.extensions import db
from backpack.models import OAuthAuthorizationCode, OAuthClient, OAuthToken, User
from backpack.models.api import secret_hash
from backpack.models.time import utcnow

CODE_TTL = timedelta(minutes=10)
ACCESS_TTL = timedelta(hours=1)
REFRESH_TTL = timedelta(days=90)


def new_secret() -> str:
    """Return a fresh 256-bit random token, URL-safe."""
    return secrets.token_urlsafe(32)


def save_code(code: str, *, client: OAuthClient, user: User, redirect_uri: str, scope: str,
              challenge: str, method: str) -> OAuthAuthorizationCode:
    """Keep a new authorization code (its hash) for the platform and learner (caller commits)."""
    now = utcnow()
    row = OAuthAuthorizationCode(
        code_hash=secret_hash(code),
        platform_id=client.id,
        user_id=user.id,
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge=challenge,
        code_challenge_method=method,
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    db.session.add(row)
    db.session.flush()
    return row


def redeemable_code(code: str, client: OAuthClient) -> OAuthAuthorizationCode | None:
    """Return the platform's unused, unexpired code; a replayed one revokes what it gave and is refused."""
    row = db.session.scalar(db.select(OAuthAuthorizationCode).where(OAuthAuthorizationCode.code_hash == secret_hash(code)))
    if row is None or row.platform_id != client.id:
        return None
    if row.used_at is not None:
        revoke_family(row.id)
        return None
    if row.expires_at <= utcnow():
        return None
    return row


def use_code(row: OAuthAuthorizationCode) -> None:
    """Mark a code used (it stays, to recognise a replay)."""
    row.used_at = utcnow()
    db.session.flush()


def store(token: dict, *, client: OAuthClient, user: User, code_id: int | None) -> OAuthToken:
    """Keep the hashes of a token response Authlib made (caller commits)."""
    now = utcnow()
    refresh = token.get("refresh_token")
    row = OAuthToken(
        platform_id=client.id,
        user_id=user.id,
        authorization_code_id=code_id,
        access_token_hash=secret_hash(token["access_token"]),
        refresh_token_hash=secret_hash(refresh) if refresh else None,
        scope=token.get("scope") or "",
        issued_at=now,
        expires_in=int(token["expires_in"]),
        expires_at=now + timedelta(seconds=int(token["expires_in"])),
        refresh_expires_at=now + REFRESH_TTL if refresh else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def find_access(token: str) -> OAuthToken | None:
    """Return the token row of an access token (expired or revoked ones too: the caller checks)."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(db.select(OAuthToken).where(OAuthToken.access_token_hash == secret_hash(token)))


def find_refresh(token: str) -> OAuthToken | None:
    """Return the token row of a refresh token, whatever its state."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(db.select(OAuthToken).where(OAuthToken.refresh_token_hash == secret_hash(token)))


def refreshable(token: str) -> OAuthToken | None:
    """Return the row of a usable refresh token; a rotated or revoked one revokes its family and is refused."""
    row = find_refresh(token)
    if row is None:
        return None
    if row.revoked_at is not None:
        if row.authorization_code_id is not None:
            revoke_family(row.authorization_code_id)
        return None
    return row if row.refresh_usable() else None


def find_any(token: str, hint: str | None) -> OAuthToken | None:
    """Return the row of an access or refresh token (RFC 7009: the hint is only a hint)."""
    if hint == "refresh_token":
        return find_refresh(token) or find_access(token)
    return find_access(token) or find_refresh(token)


def revoke(rows) -> None:
    """Revoke these tokens, access and refresh alike."""
    now = utcnow()
    for row in rows:
        if row.revoked_at is None:
            row.revoked_at = now
    db.session.flush()


def revoke_family(code_id: int) -> None:
    """Revoke every token an authorization code gave, and those refreshed from them."""
    revoke(db.session.scalars(db.select(OAuthToken).where(OAuthToken.authorization_code_id == code_id)))


def revoke_all(user: User, client: OAuthClient) -> None:
    """Revoke everything the platform holds for the learner, and make its pending codes useless."""
    revoke(db.session.scalars(db.select(OAuthToken).where(OAuthToken.user_id == user.id, OAuthToken.platform_id == client.id)))
    now = utcnow()
    pending = db.session.scalars(
        db.select(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.user_id == user.id,
            OAuthAuthorizationCode.platform_id == client.id,
            OAuthAuthorizationCode.used_at.is_(None),
        )
    )
    for code in pending:
        code.used_at = now
    db.session.flush()
