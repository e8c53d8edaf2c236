"""People and their passkeys."""
import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.time import UTCDateTime, utcnow


class Role(StrEnum):
    LEARNER = "learner"
    TEACHER = "teacher"
    ADMIN = "admin"


def _new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), index=True, default=Role.LEARNER.value)
    preferred_language: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Random WebAuthn user handle: the database id never leaves the server.
    webauthn_handle: Mapped[bytes] = mapped_column(
        LargeBinary(32), unique=True, default=lambda: secrets.token_bytes(32)
    )
    # Names the generation of the person's notification devices (see notify.delivery):
    # rotating it, as "sign out on all devices" does, stops every device's notifications.
    # Sessions themselves are SignIn rows.
    session_token: Mapped[str] = mapped_column(String(32), default=_new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    passkeys: Mapped[list["Passkey"]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        order_by="Passkey.created_at",
        foreign_keys="Passkey.user_id",
    )

    def rotate_session_token(self) -> None:
        """Start a new generation of notification devices: every older one stops receiving."""
        self.session_token = _new_session_token()

    @property
    def is_learner(self) -> bool:
        return self.role == Role.LEARNER

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class AddedVia(StrEnum):
    """How a passkey came to the account."""

    INVITE = "invite"  # the first passkey, made with the person's invite link
    RECOVERY = "recovery"  # made with a sign-in link a teacher or admin made for someone who had a passkey
    ACCOUNT = "account"  # added by the person, signed in, from the account page


class Passkey(db.Model):
    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[str] = mapped_column(String(120), default="")
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    added_via: Mapped[str] = mapped_column(String(16), default=AddedVia.ACCOUNT.value)
    # Who made the sign-in link it was added with (a teacher or admin), and that link.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="passkeys", foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])

    @property
    def by_recovery(self) -> bool:
        """Tell whether someone else's sign-in link added this passkey."""
        return self.added_via == AddedVia.RECOVERY

    @property
    def transport_list(self) -> list[str]:
        return [t for t in self.transports.split(",") if t]
