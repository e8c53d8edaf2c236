"""Single-use invites and server-side WebAuthn challenges."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User


class InvitePurpose(StrEnum):
    ENROL = "enrol"  # first passkey of a new account
    ADD_PASSKEY = "add-passkey"  # a new phone for an existing account


class Invite(db.Model):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the SHA-256 of the token is kept: a database leak reveals no live link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A sign-in link for someone who had a passkey (ADD_PASSKEY): the person is told, on the
    # home and account pages until they dismiss it, and may say "This wasn't me".
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disowned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language the invite page opens in, chosen by its maker, until the person picks one.
    language: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class WebAuthnChallenge(db.Model):
    """A ceremony's challenge, kept server-side so it is single use and expires."""

    __tablename__ = "webauthn_challenges"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64))
    ceremony: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
