"""Badges a learner earned elsewhere and brought in: kept exactly as received, with our check."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.issuer import new_public_id
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User


class ImportedCredential(db.Model):
    """An Open Badges 2.0 or 3.0 badge from another platform, and the last verification result."""

    __tablename__ = "imported_credentials"
    __table_args__ = (
        # The same badge twice (as JSON, PNG or SVG) is one row: the digest is of the badge itself.
        UniqueConstraint("owner_id", "digest", name="uq_imported_credentials_owner_id_digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(8))  # "ob3" or "ob2"
    source: Mapped[str] = mapped_column(String(8))  # "json", "png", "svg" or "url"
    source_url: Mapped[str | None] = mapped_column(Text)
    # The file or document exactly as received; never rewritten.
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the badge's JSON in canonical form, whatever it came wrapped in.
    digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    issuer_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A small embedded raster image as a data: URI; remote images are never fetched.
    image: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship()
