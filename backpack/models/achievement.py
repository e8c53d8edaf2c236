"""Achievements (badge classes), the stacks they form, and claim codes shown in class."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.issuer import Issuer, new_public_id
from backpack.models.time import UTCDateTime, utcnow


class StackRequirement(db.Model):
    """The stack badge is earned by holding every required badge."""

    __tablename__ = "stack_requirements"

    stack_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True
    )
    required_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Achievement(db.Model):
    __tablename__ = "achievements"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    criteria: Mapped[str] = mapped_column(Text)
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    # [{"name", "framework", "url", "code"}]
    alignments: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    validity_days: Mapped[int | None] = mapped_column(Integer)
    # {"es": {"name": ..., "description": ..., "criteria": ...}}
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issuer: Mapped[Issuer] = relationship()
    required: Mapped[list["Achievement"]] = relationship(
        secondary="stack_requirements",
        primaryjoin="Achievement.id == StackRequirement.stack_id",
        secondaryjoin="Achievement.id == StackRequirement.required_id",
        order_by="Achievement.name",
    )

    def text_in(self, language: str) -> dict:
        """Return name, description and criteria in the language, falling back to the original."""
        original = {"name": self.name, "description": self.description, "criteria": self.criteria}
        translated = (self.translations or {}).get(language) or {}
        return {key: translated.get(key) or value for key, value in original.items()}


class ClaimCode(db.Model):
    """A short code (and QR) a teacher shows in class; learners who scan it get the badge."""

    __tablename__ = "claim_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    achievement: Mapped[Achievement] = relationship()
