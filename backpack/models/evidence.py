"""Evidence: a photo, video, voice clip or file a learner captured, kept in the media store."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.issuer import new_public_id
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    AUDIO = "audio"
    FILE = "file"


class Privacy(StrEnum):
    PRIVATE = "private"  # only the learner (and, later, teachers reviewing a submission)
    SHAREABLE = "shareable"  # may appear on the learner's share links


class Evidence(db.Model):
    __tablename__ = "evidence"
    __table_args__ = (
        # An item captured offline may be sent many times; it is stored once. The
        # constraint's index also serves "this learner's evidence" (owner_id leads).
        UniqueConstraint("owner_id", "idempotency_key", name="uq_evidence_owner_id_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # In URLs: random, so ids can't be counted or guessed.
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200), default="")
    reflection: Mapped[str] = mapped_column(Text, default="")
    # Keys are random (backpack.storage.new_key), never derived from what was sent.
    object_key: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    mimetype: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    # When the phone captured it (it may reach us days later from the offline queue).
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    privacy: Mapped[str] = mapped_column(String(16), default=Privacy.PRIVATE.value)
    idempotency_key: Mapped[str] = mapped_column(String(36))

    owner: Mapped[User] = relationship()

    @property
    def is_private(self) -> bool:
        return self.privacy == Privacy.PRIVATE
