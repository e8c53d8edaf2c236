"""Awarding, stacks, revocation and expiry, checked by verifying what was signed."""
import json
from datetime import timedelta

import pytest

from backpack.credentials import proof
from backpack.credentials.verify import verify_credential
from backpack.extensions import db
from backpack.issuing import achievements, awarding, status
from backpack.issuing.verification import local_status_list, verify_award
from backpack.models import Award, Role, StatusList
from backpack.models.time import utcnow


@pytest.fixture
def school(app, make_user, make_issuer, make_achievement, make_classroom):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learners = [make_user(Role.LEARNER, name) for name in ("Amina", "Carlos", "Lan")]
    make_classroom(teacher, *learners)
    issuer = make_issuer(teacher)
    badge = make_achievement(issuer, by=teacher)
    return teacher, learners, issuer, badge


def test_award_signs_one_verifiable_credential_per_learner(school):
    teacher, learners, issuer, badge = school
    outcome = awarding.award(badge, learners[:2], by=teacher, note="Great work", evidence_url="https://example.org/photo")
    db.session.commit()

    assert len(outcome.created) == 2
    for award in outcome.created:
        credential = json.loads(award.credential_json)
        assert credential["id"] == f"urn:uuid:{award.public_id}"
        assert credential["issuer"]["id"] == issuer.did
        assert credential["credentialSubject"]["identifier"][0]["identityHash"] == award.learner.display_name
        assert credential["credentialSubject"]["achievement"]["image"]["type"] == "Image"
        assert credential["evidence"][0]["id"] == "https://example.org/photo"
        assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
        assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
        assert verify_award(award).status == "valid"


def test_awarding_twice_makes_no_second_credential(school):
    teacher, learners, issuer, badge = school
    awarding.award(badge, learners, by=teacher)
    db.session.commit()
    again = awarding.award(badge, learners, by=teacher)
    db.session.commit()
    assert again.created == [] and len(again.already_held) == 3
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 3


def test_status_indexes_are_distinct(school):
    teacher, learners, issuer, badge = school
    outcome = awarding.award(badge, learners, by=teacher)
    db.session.commit()
    assert len({a.status_index for a in outcome.created}) == 3


def test_revocation_shows_to_any_verifier_at_once(school):
    teacher, learners, issuer, badge = school
    award = awarding.award(badge, learners[:1], by=teacher).created[0]
    db.session.commit()
    version = award.status_list.version

    status.revoke(award, "Awarded by mistake", by=teacher)
    db.session.commit()

    assert award.revocation_reason == "Awarded by mistake"
    assert award.status_list.version == version + 1
    result = verify_award(award)
    assert result.status == "revoked"
    # The stored credential was not touched: it is still exactly as signed.
    assert verify_credential(json.loads(award.credential_json)).check("signature").passed
    with pytest.raises(status.RevocationError):
        status.revoke(award, "again", by=teacher)


def test_revoked_badge_can_be_awarded_again(school):
    teacher, learners, issuer, badge = school
    first = awarding.award(badge, learners[:1], by=teacher).created[0]
    db.session.commit()
    status.revoke(first, "mistake", by=teacher)
    db.session.commit()
    second = awarding.award(badge, learners[:1], by=teacher).created
    db.session.commit()
    assert len(second) == 1 and verify_award(second[0]).status == "valid"


def test_validity_period_sets_valid_until_and_expires(school, make_achievement):
    teacher, learners, issuer, _ = school
    badge = make_achievement(issuer, by=teacher, name="First aid", validity_days=730)
    award = awarding.award(badge, learners[:1], by=teacher).created[0]
    db.session.commit()
    assert award.valid_until - award.issued_at == timedelta(days=730)
    credential = json.loads(award.credential_json)
    assert "validUntil" in credential
    later = verify_credential(credential, fetch_status_list=local_status_list, now=utcnow() + timedelta(days=731))
    assert later.status == "expired"


def test_stack_is_awarded_once_when_complete(school, make_achievement):
    teacher, learners, issuer, first = school
    second = make_achievement(issuer, by=teacher, name="Reading a plan")
    stack = make_achievement(issuer, by=teacher, name="Workshop ready")
    achievements.set_requirements(stack, [first, second])
    db.session.commit()
    learner = learners[0]

    awarding.award(first, [learner], by=teacher)
    db.session.commit()
    assert awarding.stack_progress(learner, stack) == (1, 2)
    assert not awarding.holds(learner, stack)

    outcome = awarding.award(second, [learner], by=teacher)
    db.session.commit()
    assert [a.achievement for a in outcome.stacks] == [stack]
    assert outcome.stacks[0].source == "stack"
    assert awarding.stack_progress(learner, stack) == (2, 2)
    assert verify_award(outcome.stacks[0]).status == "valid"
    # Awarding a requirement again changes nothing: the stack is held once.
    awarding.award(second, [learner], by=teacher)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Award.id)).where(Award.achievement_id == stack.id)) == 1


def test_stack_cycles_are_refused(school, make_achievement):
    teacher, learners, issuer, first = school
    stack = make_achievement(issuer, by=teacher, name="Stack")
    achievements.set_requirements(stack, [first])
    with pytest.raises(achievements.AchievementError):
        achievements.set_requirements(first, [stack])
    with pytest.raises(achievements.AchievementError):
        achievements.set_requirements(stack, [stack])


def test_only_learners_receive_badges(school):
    teacher, learners, issuer, badge = school
    with pytest.raises(awarding.AwardError):
        awarding.award(badge, [teacher], by=teacher)


def test_status_list_is_signed_by_the_issuer(school):
    teacher, learners, issuer, badge = school
    awarding.award(badge, learners[:1], by=teacher)
    db.session.commit()
    listed = db.session.scalar(db.select(StatusList))
    credential = json.loads(listed.credential_json)
    assert credential["issuer"] == issuer.did
    assert proof.verify_proof(credential)[0]


def test_issuer_private_key_is_sealed(school, app):
    teacher, learners, issuer, badge = school
    from backpack.issuing.issuers import signing_key

    key = signing_key(issuer)
    assert key.did == issuer.did
    assert key.seed.hex() not in issuer.sealed_private_key
    assert key.secret_key_multibase not in issuer.sealed_private_key
