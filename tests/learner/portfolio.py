"""A learner with badges and evidence to put in collections, and another learner with their own."""
import uuid
from dataclasses import dataclass

from backpack.evidence import capture
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import Award, Evidence, Role, User
from tests.evidence import samples


@dataclass
class Portfolio:
    learner: User
    other: User
    teacher: User
    awards: list[Award]
    evidence: list[Evidence]
    other_award: Award
    other_evidence: Evidence


def build_portfolio(make_user, make_classroom, make_issuer, make_achievement) -> Portfolio:
    """Two badges, a photo and a voice-less video for Amina; one badge and a photo for Omar."""
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learner = make_user(Role.LEARNER, "Amina Yusuf")
    other = make_user(Role.LEARNER, "Omar")
    make_classroom(teacher, learner, other)
    issuer = make_issuer(teacher)
    welding = make_achievement(issuer, by=teacher, name="Safe welding")
    first_aid = make_achievement(issuer, by=teacher, name="First aid")
    awards = [awarding.award(badge, [learner], by=teacher).created[0] for badge in (welding, first_aid)]
    other_award = awarding.award(welding, [other], by=teacher).created[0]
    photo, _ = capture.save_evidence(
        learner, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="Weld seam", reflection="It held."
    )
    db.session.commit()
    video, _ = capture.save_evidence(learner, samples.mp4(), idempotency_key=str(uuid.uuid4()), title="Workshop video")
    db.session.commit()
    other_photo, _ = capture.save_evidence(other, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="Omar's photo")
    db.session.commit()
    return Portfolio(learner, other, teacher, awards, [photo, video], other_award, other_photo)
