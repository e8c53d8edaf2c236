"""Badges (achievements): what they certify, and the stacks they build."""
from flask_babel import lazy_gettext as _l

from backpack.extensions import db
from backpack.models import Achievement, Issuer, User, issuer_members
from backpack.web.refusal import Refusal


class AchievementError(Refusal):
    """A badge definition that cannot be saved."""


STACK_CYCLE = _l("A stack cannot require itself, directly or through another stack.")


def create_achievement(
    issuer: Issuer,
    *,
    by: User,
    name: str,
    description: str,
    criteria: str,
    image_png: bytes,
    alignments: list[dict] | None = None,
    tags: list[str] | None = None,
    validity_days: int | None = None,
    translations: dict | None = None,
    language: str = "en",
) -> Achievement:
    achievement = Achievement(
        issuer=issuer,
        created_by_id=by.id,
        name=name.strip(),
        description=description.strip(),
        criteria=criteria.strip(),
        image_png=image_png,
        alignments=alignments or [],
        tags=tags or [],
        validity_days=validity_days or None,
        translations=translations or {},
        language=language,
    )
    db.session.add(achievement)
    return achievement


def achievements_of(user: User) -> list[Achievement]:
    """Return the badges of every issuer the user belongs to."""
    return list(
        db.session.scalars(
            db.select(Achievement)
            .join(issuer_members, issuer_members.c.issuer_id == Achievement.issuer_id)
            .where(issuer_members.c.user_id == user.id)
            .order_by(Achievement.name)
        )
    )


def set_translations(achievement: Achievement, translations: dict) -> None:
    """Replace the badge's translations ({language: {name, description, criteria}}); the original stays."""
    achievement.translations = {code: dict(texts) for code, texts in translations.items()}


def _requires(achievement: Achievement, target: Achievement, seen: set[int]) -> bool:
    # Compared by identity: badges not yet flushed have no id.
    if achievement is target:
        return True
    if id(achievement) in seen:
        return False
    seen.add(id(achievement))
    return any(_requires(item, target, seen) for item in achievement.required)


def set_requirements(stack: Achievement, required: list[Achievement]) -> None:
    """Make the badge a stack of the given badges, refusing cycles."""
    for item in required:
        if _requires(item, stack, set()):
            raise AchievementError(STACK_CYCLE)
    stack.required = list(required)
