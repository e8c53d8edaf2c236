"""Claim codes shown in class: time-limited, use-limited, closable, for the teacher's learners."""
from datetime import timedelta

import pytest

from backpack.extensions import db
from backpack.issuing import claims
from backpack.issuing.verification import verify_award
from backpack.models import Award, Role
from backpack.models.time import utcnow


@pytest.fixture
def classroom_badge(app, make_user, make_issuer, make_achievement, make_classroom):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learners = [make_user(Role.LEARNER, f"L{n}") for n in range(3)]
    make_classroom(teacher, *learners)
    badge = make_achievement(make_issuer(teacher), by=teacher)
    return teacher, learners, badge


def test_code_is_short_readable_and_redeemable(classroom_badge):
    teacher, learners, badge = classroom_badge
    claim = claims.open_code(badge, by=teacher, minutes=10, max_uses=30)
    db.session.commit()
    assert len(claim.code) == 6 and set(claim.code) <= set(claims.ALPHABET)

    outcome = claims.redeem(claim.code.lower()[:3] + "-" + claim.code.lower()[3:], learners[0])
    db.session.commit()

    assert verify_award(outcome.created[0]).status == "valid"
    assert outcome.created[0].source == "claim"
    assert claim.uses == 1


def test_same_learner_claiming_twice_uses_no_second_slot(classroom_badge):
    teacher, learners, badge = classroom_badge
    claim = claims.open_code(badge, by=teacher, minutes=10, max_uses=5)
    db.session.commit()
    claims.redeem(claim.code, learners[0])
    db.session.commit()
    again = claims.redeem(claim.code, learners[0])
    db.session.commit()
    assert again.created == [] and claim.uses == 1


@pytest.mark.parametrize(
    "spoil, status, words",
    [
        (lambda c: setattr(c, "expires_at", utcnow() - timedelta(seconds=1)), 410, "expired"),
        (lambda c: setattr(c, "closed_at", utcnow()), 410, "closed"),
        (lambda c: setattr(c, "uses", c.max_uses), 410, "too many times"),
    ],
)
def test_spent_codes_give_a_clear_reason_and_award_nothing(classroom_badge, spoil, status, words):
    teacher, learners, badge = classroom_badge
    claim = claims.open_code(badge, by=teacher, minutes=10, max_uses=2)
    spoil(claim)
    db.session.commit()
    with pytest.raises(claims.ClaimError) as error:
        claims.redeem(claim.code, learners[0])
    assert error.value.status == status and words in str(error.value.message)
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 0


def test_unknown_code(classroom_badge):
    with pytest.raises(claims.ClaimError) as error:
        claims.redeem("ZZZZZZ", classroom_badge[1][0])
    assert error.value.status == 404


def test_learner_outside_the_teachers_classes_gets_nothing(classroom_badge, make_user):
    teacher, learners, badge = classroom_badge
    stranger = make_user(Role.LEARNER, "Stranger")
    claim = claims.open_code(badge, by=teacher, minutes=10, max_uses=5)
    db.session.commit()
    with pytest.raises(claims.ClaimError) as error:
        claims.redeem(claim.code, stranger)
    assert error.value.status == 403
    assert claim.uses == 0


def test_use_limit_counts_learners(classroom_badge):
    teacher, learners, badge = classroom_badge
    claim = claims.open_code(badge, by=teacher, minutes=10, max_uses=2)
    db.session.commit()
    for learner in learners[:2]:
        claims.redeem(claim.code, learner)
        db.session.commit()
    with pytest.raises(claims.ClaimError):
        claims.redeem(claim.code, learners[2])
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 2
