"""Claim codes: a short code and QR shown in class, redeemed by the learners present."""
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from backpack.auth.policy import teaches
from backpack.extensions import db
from backpack.issuing.awarding import AwardOutcome, award
from backpack.models import Achievement, ClaimCode, User
from backpack.models.time import utcnow
from backpack.web.refusal import Refusal

# No 0/O, 1/I/L: easy to read aloud and type on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6


class ClaimError(Refusal):
    """A claim code that cannot give this learner the badge."""


UNKNOWN = _l("This code is not valid. Check the letters and try again.")
EXPIRED = _l("This code has expired. Ask your teacher for a new one.")
CLOSED = _l("Your teacher has closed this code.")
EXHAUSTED = _l("This code has been used too many times. Ask your teacher.")
NOT_IN_CLASS = _l("This code is for learners in your teacher's classes.")
ONLY_LEARNERS = _l("Only learners can claim badges.")


def normalise(code: str) -> str:
    """Accept lower case, spaces and dashes as people type them."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]


def open_code(achievement: Achievement, *, by: User, minutes: int, max_uses: int) -> ClaimCode:
    """Open a claim code for the badge, valid for some minutes and a number of uses."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if db.session.scalar(db.select(ClaimCode.id).where(ClaimCode.code == code)) is None:
            break
    claim = ClaimCode(
        code=code,
        achievement=achievement,
        created_by_id=by.id,
        expires_at=utcnow() + timedelta(minutes=minutes),
        max_uses=max_uses,
        uses=0,
    )
    db.session.add(claim)
    return claim


def close(claim: ClaimCode) -> None:
    if claim.closed_at is None:
        claim.closed_at = utcnow()


def find(code: str) -> ClaimCode:
    """Return the claim code, or raise ClaimError saying why it cannot be used."""
    claim = db.session.scalar(db.select(ClaimCode).where(ClaimCode.code == normalise(code)))
    if claim is None:
        raise ClaimError(UNKNOWN, 404)
    if claim.closed_at is not None:
        raise ClaimError(CLOSED, 410)
    if claim.expires_at <= utcnow():
        raise ClaimError(EXPIRED, 410)
    if claim.uses >= claim.max_uses:
        raise ClaimError(EXHAUSTED, 410)
    return claim


def redeem(code: str, learner: User) -> AwardOutcome:
    """Give the learner the code's badge, counting one use atomically (caller commits)."""
    if not learner.is_learner:
        raise ClaimError(ONLY_LEARNERS, 403)
    claim = find(code)
    teacher = db.session.get(User, claim.created_by_id)
    if teacher is None or not teaches(teacher, learner):
        raise ClaimError(NOT_IN_CLASS, 403)
    outcome = award(claim.achievement, [learner], by=teacher, source="claim", claim_code=claim)
    if outcome.created:
        counted = db.session.execute(
            db.update(ClaimCode)
            .where(
                ClaimCode.id == claim.id,
                ClaimCode.uses < ClaimCode.max_uses,
                ClaimCode.closed_at.is_(None),
                ClaimCode.expires_at > utcnow(),
            )
            .values(uses=ClaimCode.uses + 1)
        ).rowcount
        if counted != 1:
            db.session.rollback()
            raise ClaimError(EXHAUSTED, 410)
    return outcome
