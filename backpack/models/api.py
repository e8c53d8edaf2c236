"""Platforms that reach a learner's backpack through the Open Badges 3.0 API, and what they hold.

Secrets (client secrets, authorization codes, access and refresh tokens) are stored only as
SHA-256 hashes: a leaked database opens nothing. The methods named get_*/check_*/is_* are the
ones Authlib's OAuth 2.0 server calls (backpack.api.server).
"""
import hashlib
import hmac
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.issuer import new_public_id
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User


def secret_hash(value: str) -> str:
    """Return the SHA-256 (hex) under which a secret is stored and looked up."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _scopes(value: str | None) -> list[str]:
    return [item for item in (value or "").split() if item]


class OAuthClient(db.Model):
    """A platform registered through RFC 7591 dynamic client registration."""

    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_hash: Mapped[str] = mapped_column(String(64))
    client_name: Mapped[str] = mapped_column(String(200))
    client_uri: Mapped[str | None] = mapped_column(String(500))
    logo_uri: Mapped[str | None] = mapped_column(String(500))
    tos_uri: Mapped[str | None] = mapped_column(String(500))
    policy_uri: Mapped[str | None] = mapped_column(String(500))
    software_id: Mapped[str | None] = mapped_column(String(200))
    software_version: Mapped[str | None] = mapped_column(String(200))
    contacts: Mapped[list] = mapped_column(JSON, default=list)
    redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    scope: Mapped[str] = mapped_column(Text)
    grant_types: Mapped[list] = mapped_column(JSON, default=list)
    response_types: Mapped[list] = mapped_column(JSON, default=list)
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(32))
    # The platform's logo, fetched once at registration and re-encoded as a small PNG, so the
    # consent page shows it from this origin (the CSP allows no other).
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """Return the requested scopes this platform registered (all of them if none were asked)."""
        allowed = _scopes(self.scope)
        if not scope:
            return " ".join(allowed) or None
        granted = [item for item in dict.fromkeys(_scopes(scope)) if item in allowed]
        return " ".join(granted) or None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret_hash, secret_hash(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # Confidential clients only: a platform always proves itself with its secret.
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.response_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class OAuthConnection(db.Model):
    """A learner's consent to one platform; its pairwise subject id is the learner's profile id there."""

    __tablename__ = "oauth_connections"
    __table_args__ = (UniqueConstraint("user_id", "platform_id", name="uq_oauth_connections_user_id_platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    # Different for every platform, so two platforms cannot match up the same learner.
    subject_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    scope: Mapped[str] = mapped_column(Text)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    platform: Mapped[OAuthClient] = relationship()

    @property
    def scopes(self) -> list[str]:
        return _scopes(self.scope)


class OAuthAuthorizationCode(db.Model):
    """A single-use code from the consent page, bound to its platform, redirect URI and PKCE challenge.

    Kept after use (used_at set) so that a replayed code is recognised and the tokens it
    gave are revoked.
    """

    __tablename__ = "oauth_authorization_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


class OAuthToken(db.Model):
    """An access token (short-lived) and its refresh token, issued to a platform for one learner."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The code this token (or the token it was refreshed from) came from: a replayed code revokes them all.
    authorization_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("oauth_authorization_codes.id", ondelete="SET NULL"), index=True
    )
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_in: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    platform: Mapped[OAuthClient] = relationship()
    user: Mapped[User] = relationship()

    def check_client(self, client: OAuthClient) -> bool:
        return self.platform_id == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def get_user(self) -> User:
        return self.user

    def get_client(self) -> OAuthClient:
        return self.platform

    def refresh_usable(self) -> bool:
        """Tell whether the refresh token may still get a new access token."""
        return (
            self.refresh_token_hash is not None
            and self.revoked_at is None
            and (self.refresh_expires_at is None or self.refresh_expires_at > utcnow())
        )
