"""Awards (issued credentials, stored exactly as signed) and the status lists that revoke them."""
import functools
import json
import re
from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.achievement import Achievement, ClaimCode
from backpack.models.issuer import Issuer, new_public_id
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User

# How an awarded submission's items appear in the credential (backpack.evidence.submissions).
EVIDENCE_LINK = re.compile(r"/evidence/([0-9a-f-]{36})/media$")


class StatusList(db.Model):
    """A BitstringStatusList of one issuer; its signed credential is served at a stable URL."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    # Fixed when the list is made: issued credentials name it, so it never follows the origin.
    url: Mapped[str] = mapped_column(String(500))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="revocation")
    length: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    used: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped on every change: verification results are cached per version.
    version: Mapped[int] = mapped_column(Integer, default=0)
    credential_json: Mapped[str | None] = mapped_column(Text)
    # The signed copy's validUntil, so finding the lists to re-sign needs no JSON.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issuer: Mapped[Issuer] = relationship()


class Award(db.Model):
    __tablename__ = "awards"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index"),
        # One live award of a badge per learner: a double tap cannot issue twice.
        Index(
            "uq_awards_live_achievement_learner",
            "achievement_id",
            "learner_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT"), index=True
    )
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="RESTRICT"))
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="direct")
    claim_code_id: Mapped[int | None] = mapped_column(ForeignKey("claim_codes.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id", ondelete="RESTRICT"))
    status_index: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # The credential exactly as signed; never re-signed in place.
    credential_json: Mapped[str] = mapped_column(Text)

    achievement: Mapped[Achievement] = relationship()
    learner: Mapped[User | None] = relationship(foreign_keys=[learner_id])
    issuer: Mapped[Issuer] = relationship()
    status_list: Mapped[StatusList] = relationship()
    claim_code: Mapped[ClaimCode | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.valid_until is not None and self.valid_until <= (now or utcnow())

    @property
    def evidence_public_ids(self) -> list[str]:
        """The learner's evidence items the signed credential links to, in its order."""
        return list(evidence_ids_in(self.credential_json))


@functools.lru_cache(maxsize=1024)
def evidence_ids_in(credential_json: str) -> tuple[str, ...]:
    """The evidence items a stored credential links to, in its order (kept: the employer's page asks per view)."""
    entries = json.loads(credential_json).get("evidence") or []
    found = (EVIDENCE_LINK.search(entry.get("id") or "") for entry in entries if isinstance(entry, dict))
    return tuple(match.group(1) for match in found if match)


class AwardJobState:
    QUEUED = "queued"  # waiting for a worker (also after "Try again")
    RUNNING = "running"  # a worker holds it until lease_until; past that it is stalled
    DONE = "done"
    FAILED = "failed"


class AwardJob(db.Model):
    """A big award run in batches by the worker; each batch commits with the job's progress.

    active_key is set until the job is done, and unique: a second tap on "Award" for the same
    badge, learners, note and link finds this job instead of starting another.
    """

    __tablename__ = "award_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    active_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    learner_ids: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default=AwardJobState.QUEUED, index=True)
    total: Mapped[int] = mapped_column(Integer)
    # How many of learner_ids are finished: batches commit with it, so a resume starts here.
    done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    already_held: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Which worker holds it (process and thread), until lease_until.
    lease_token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    achievement: Mapped[Achievement] = relationship()

    def is_stalled(self, now: datetime | None = None) -> bool:
        """A running job whose worker stopped renewing its lease (killed, or the machine went away)."""
        return (
            self.state == AwardJobState.RUNNING
            and self.lease_until is not None
            and self.lease_until < (now or utcnow())
        )
