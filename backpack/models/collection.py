"""Collections: a learner's portfolio of badges and evidence, in the order they chose."""
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.award import Award
from backpack.models.evidence import Evidence
from backpack.models.issuer import new_public_id
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User

NAME_LENGTH = 80


class Collection(db.Model):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    # In URLs: random, so a learner's collections can't be counted or guessed.
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship()
    items: Mapped[list["CollectionItem"]] = relationship(
        back_populates="collection",
        order_by="(CollectionItem.position, CollectionItem.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CollectionItem(db.Model):
    """One badge or one evidence item in a collection; private unless the learner says otherwise."""

    __tablename__ = "collection_items"
    __table_args__ = (
        # Exactly one target: a badge or an evidence item, never both, never neither.
        CheckConstraint("(award_id IS NULL) <> (evidence_id IS NULL)", name="one_target"),
        # Named in full: the convention names a constraint by its first column only.
        UniqueConstraint("collection_id", "award_id", name="uq_collection_items_collection_id_award_id"),
        UniqueConstraint("collection_id", "evidence_id", name="uq_collection_items_collection_id_evidence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"), index=True)
    shareable: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    collection: Mapped[Collection] = relationship(back_populates="items")
    award: Mapped[Award | None] = relationship()
    evidence: Mapped[Evidence | None] = relationship()
