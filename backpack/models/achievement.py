"""Achievements (badge classes), the stacks they form, and claim codes shown in class."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.issuer import Issuer, new_public_id
from backpack.models.time import UTCDateTime, utcnow

TEXT_FIELDS = ("name", "description", "criteria")


def language_tag(code: str | None) -> str:
    """Spell a Babel locale code (zh_Hans) as the BCP 47 tag (zh-Hans) that lang attributes want."""
    return (code or "en").replace("_", "-")


@dataclass(frozen=True)
class BadgeText:
    """A badge's words as one reader sees them: the teacher's translation where there is one, else the original.

    Each field carries its own language, since a translation may leave a field empty ("show the original").
    """

    name: str
    description: str
    criteria: str
    # field -> BCP 47 tag of the text shown in that field
    lang: dict
    original: dict
    original_language: str
    # Something is shown from a translation: the original is worth offering.
    translated: bool
    # The reader reads another language, and some field is shown in the original.
    untranslated: tuple

    @property
    def original_lang(self) -> str:
        """The original's language as a BCP 47 tag, for lang attributes."""
        return language_tag(self.original_language)

    def __getitem__(self, key: str) -> str:
        """Read a field as from text_in's dict, so either may be passed to the same template."""
        return getattr(self, key)


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
    # Read only where the picture is drawn or signed: a list of badges need not carry ~20 KB each.
    image_png: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
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

    @property
    def lang(self) -> str:
        """The original's language as a BCP 47 tag, for lang attributes."""
        return language_tag(self.language)

    def text_in(self, language: str) -> dict:
        """Return name, description and criteria in the language, falling back to the original."""
        original = {"name": self.name, "description": self.description, "criteria": self.criteria}
        translated = (self.translations or {}).get(language) or {}
        return {key: translated.get(key) or value for key, value in original.items()}

    def shown_in(self, language: str) -> BadgeText:
        """Return the badge's words for a reader of the language, each field marked with the language it is in."""
        own = self.language or "en"
        original = {key: getattr(self, key) for key in TEXT_FIELDS}
        translated = {} if language == own else (self.translations or {}).get(language) or {}
        shown = {key: translated.get(key) or original[key] for key in TEXT_FIELDS}
        lang = {key: language_tag(language if translated.get(key) else own) for key in TEXT_FIELDS}
        return BadgeText(
            **shown,
            lang=lang,
            original=original,
            original_language=own,
            translated=any(translated.get(key) for key in TEXT_FIELDS),
            untranslated=tuple(key for key in TEXT_FIELDS if language != own and not translated.get(key)),
        )


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
