"""The learner's badges as they see them: state, stack progress, downloads."""
import base64
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import joinedload

from backpack.credentials import baking
from backpack.extensions import db
from backpack.issuing.awarding import stack_progress
from backpack.models import Achievement, Award, StackRequirement, User
from backpack.models.time import utcnow

EXPIRING_SOON = timedelta(days=30)


def state(award: Award) -> str:
    """Return 'revoked', 'expired', 'expiring' or 'valid', for the card's label."""
    now = utcnow()
    if award.is_revoked:
        return "revoked"
    if award.is_expired(now):
        return "expired"
    if award.valid_until and award.valid_until - now <= EXPIRING_SOON:
        return "expiring"
    return "valid"


def awards_of(learner: User) -> list[Award]:
    """The learner's awards, newest first, each with its badge and issuer (every card shows them: no query per card)."""
    return list(
        db.session.scalars(
            db.select(Award)
            .where(Award.learner_id == learner.id)
            .options(joinedload(Award.achievement), joinedload(Award.issuer))
            .order_by(Award.issued_at.desc())
        )
    )


@dataclass
class StackProgress:
    stack: Achievement
    held: int
    required: int


def stacks_in_progress(learner: User, awards: list[Award]) -> list[StackProgress]:
    """Return stacks the learner has started but not finished, for '2 of 3'."""
    held_ids = {a.achievement_id for a in awards if state(a) in ("valid", "expiring")}
    if not held_ids:
        return []
    # IN rather than JOIN + DISTINCT: PostgreSQL cannot compare the json columns DISTINCT would.
    started = db.select(StackRequirement.stack_id).where(StackRequirement.required_id.in_(held_ids))
    stacks = db.session.scalars(
        db.select(Achievement).where(Achievement.id.in_(started)).order_by(Achievement.id)
    ).all()
    progress = []
    for stack in stacks:
        if stack.id in held_ids:
            continue
        held, required = stack_progress(learner, stack)
        progress.append(StackProgress(stack, held, required))
    return progress


def baked_png(award: Award) -> bytes:
    """Return the badge image with the credential baked in, as wallets import it."""
    return baking.bake_png(award.achievement.image_png, award.credential_json)


def baked_svg(award: Award) -> bytes:
    """Return an SVG wrapping the badge image, with the credential baked in."""
    png = base64.b64encode(award.achievement.image_png).decode()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="512" height="512" viewBox="0 0 512 512">'
        f'<image width="512" height="512" xlink:href="data:image/png;base64,{png}"/></svg>'
    )
    return baking.bake_svg(svg, award.credential_json)


def credential(award: Award) -> dict:
    return json.loads(award.credential_json)


def sent_evidence(award: Award) -> list[dict]:
    """Return the credential's evidence[] links to items the learner sent (a submission's).

    The signed credential is the record of what the badge was awarded for; its first entry
    is the teacher's own note or link when the award has one (shown apart on the page).
    """
    entries = credential(award).get("evidence", [])
    if award.evidence_url or award.note:
        entries = entries[1:]
    return [entry for entry in entries if entry.get("id")]
