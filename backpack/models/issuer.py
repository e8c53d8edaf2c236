"""Issuers: the organisations that stand behind badges, each with its own signing key."""
import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User

issuer_members = Table(
    "issuer_members",
    db.metadata,
    Column("issuer_id", ForeignKey("issuers.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


def new_public_id() -> str:
    return str(uuid.uuid4())


class Issuer(db.Model):
    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    # did:key of the signing key: resolvable by any verifier without this server.
    did: Mapped[str] = mapped_column(String(120), unique=True)
    # The private key never leaves the server and is stored sealed with the app secret.
    sealed_private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[User]] = relationship(secondary=issuer_members)
