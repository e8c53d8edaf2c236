"""Push subscriptions (one per device) and the outbox of notifications waiting to be delivered."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User


class PushSubscription(db.Model):
    """A browser's Web Push subscription: where to send, and the keys to encrypt for it."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # A capability URL at the browser's push service; one device, so one owner.
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(80))
    # Which sign-in made it (a hash of the user's session token): "sign out on all
    # devices" rotates the token, and subscriptions of older sign-ins stop receiving.
    session_hash: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure: Mapped[str | None] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()

    def info(self) -> dict:
        """Return the subscription as pywebpush and browsers spell it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class OutboxStatus:
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker until claimed_until
    SENT = "sent"  # every device answered
    FAILED = "failed"  # gave up after the last attempt
    NO_DEVICE = "no-device"  # the person had no device left when it was due


class Outbox(db.Model):
    """A notification written in the same transaction as its event, so none is lost."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Set for a message meant for one device only (a test from the settings page).
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="CASCADE")
    )
    # {"title", "body", "url", "tag", "lang", "dir", "icon"}: already in the recipient's language.
    payload: Mapped[dict] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    ttl_seconds: Mapped[int] = mapped_column(Integer)
    # One notification per event, however often the event's code runs.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Devices already served for this row, so a retry reaches only the ones that failed.
    done_subscription_ids: Mapped[list] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
