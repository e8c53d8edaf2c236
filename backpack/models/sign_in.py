"""Sign-ins: the server-side half of every session, one row per signed-in device."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.invite import Invite
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import Passkey, User


class SignInMethod(StrEnum):
    PASSKEY = "passkey"  # a passkey the person already had
    INVITE = "invite"  # the first passkey of a new account, made with an invite link
    RECOVERY = "recovery"  # a passkey added with a sign-in link a teacher or admin made


class SignIn(db.Model):
    """One session: the cookie holds a random id, this row only its SHA-256.

    Ending the row (ended_at) signs that device out: a copy of its cookie is refused.
    """

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A database leak reveals no cookie that would sign anyone in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The passkey that proved who this is; a sign-in whose passkey is gone is over.
    passkey_id: Mapped[int | None] = mapped_column(ForeignKey("passkeys.id", ondelete="SET NULL"), index=True)
    # The sign-in link behind that passkey, if a teacher or admin made one for it.
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(16))
    device: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Secrets this session keeps (fresh invite links to show again), sealed with a key
    # derived from the cookie's id: neither the cookie nor the database alone reads them.
    sealed: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()
    passkey: Mapped[Passkey | None] = relationship()
    invite: Mapped[Invite | None] = relationship()

    @property
    def is_live(self) -> bool:
        return self.ended_at is None and self.passkey_id is not None
