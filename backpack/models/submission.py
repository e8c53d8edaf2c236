"""Submissions: a learner's evidence and reflection for a badge, and the teacher's review of it.

One row per learner and badge: it goes draft -> submitted -> returned -> submitted ... ->
awarded. Every submit, return and award is also written as a SubmissionEvent (who, what
they wrote, when), so the history survives the row changing.
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.achievement import Achievement
from backpack.models.award import Award
from backpack.models.evidence import Evidence
from backpack.models.issuer import new_public_id
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User


class SubmissionState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    AWARDED = "awarded"


submission_evidence = Table(
    "submission_evidence",
    db.metadata,
    Column("submission_id", ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    # Deleting an evidence item takes it out of the submission (and its link stops working).
    Column("evidence_id", ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Submission(db.Model):
    __tablename__ = "submissions"
    # One submission per learner and badge; its index also serves "this learner's submissions".
    __table_args__ = (
        UniqueConstraint("learner_id", "achievement_id", name="uq_submissions_learner_id_achievement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), index=True
    )
    reflection: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=SubmissionState.DRAFT.value, index=True)
    # The teacher's last feedback (every one is kept in the events).
    feedback: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="SET NULL"))
    # How many times it was sent: each round gets its own notification.
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    achievement: Mapped[Achievement] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    award: Mapped[Award | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        secondary=submission_evidence, order_by="Evidence.created_at"
    )
    events: Mapped[list["SubmissionEvent"]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionEvent.id",
    )

    @property
    def is_editable(self) -> bool:
        return self.state in (SubmissionState.DRAFT, SubmissionState.RETURNED)

    @property
    def last_return(self) -> "SubmissionEvent | None":
        """The latest return with feedback: its text and voice message are the current ones."""
        return next((step for step in reversed(self.events) if step.action == "returned"), None)


class SubmissionEvent(db.Model):
    """One step in a submission's history: submitted, returned or awarded."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The reflection as submitted, or the teacher's feedback.
    text: Mapped[str] = mapped_column(Text, default="")
    # The evidence ids sent in this round, so later edits do not rewrite history.
    evidence_ids: Mapped[str] = mapped_column(Text, default="")
    # A return's voice message, if the teacher recorded one. Columns here rather than a
    # table of their own: a return has at most one, and it belongs to that step of the history.
    audio_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    audio_mimetype: Mapped[str | None] = mapped_column(String(64))
    audio_size: Mapped[int | None] = mapped_column(Integer)
    audio_sha256: Mapped[str | None] = mapped_column(String(64))
    audio_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
