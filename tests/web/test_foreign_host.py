"""A whole teacher session sent with a forged Host: every request is refused, nothing signed or stored changes."""
import pytest

from backpack.extensions import db
from backpack.issuing import awarding, claims
from backpack.models import Role

EVIL = {"Host": "evil.example", "Referer": "https://evil.example/"}


def snapshot() -> dict:
    """Every table's rows, as stored: what a refused request must leave untouched."""
    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(table.select()).all()))
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def classroom_with_a_badge(app, signed_in, make_user, make_classroom, make_issuer, make_achievement):
    teacher = signed_in(Role.TEACHER, "Ms Rivera")
    learner = signed_in(Role.LEARNER, "Amina")
    other = make_user(Role.LEARNER, "Lan")
    classroom = make_classroom(teacher.user, learner.user, other)
    issuer = make_issuer(teacher.user)
    badge = make_achievement(issuer, by=teacher.user)
    (award,) = awarding.award(badge, [other], by=teacher.user).created
    claim = claims.open_code(badge, by=teacher.user, minutes=30, max_uses=5)
    db.session.commit()
    return teacher, learner, classroom, badge, award, claim


def test_every_step_of_a_teacher_session_with_a_forged_host_is_refused_and_changes_nothing(classroom_with_a_badge):
    teacher, learner, classroom, badge, award, claim = classroom_with_a_badge
    # Valid tokens and a Referer matching the forged host, so only the host check can refuse.
    tokens = {teacher: teacher.csrf("/badges"), learner: learner.csrf("/claim")}
    before = snapshot()
    steps = [
        (teacher, "/classes", {"name": "Evening class"}),
        (teacher, f"/classes/{classroom.id}/learners", {"display_name": "Omar"}),
        (teacher, f"/learners/{learner.user.id}/invites", {}),
        (teacher, "/issuers/new", {"name": "Evil school", "url": "https://evil.example"}),
        (teacher, "/badges/new", {"name": "Fake", "description": "x", "criteria": "x"}),
        (teacher, f"/badges/{badge.id}/awards", {"learners": str(learner.user.id)}),
        (teacher, f"/badges/{badge.id}/claim-codes", {"minutes": "5", "max_uses": "3"}),
        (teacher, f"/awards/{award.id}/revoke", {"reason": "forged"}),
        (learner, "/claim", {"code": claim.code}),
        (learner, "/auth/register/options", {}),
    ]
    for actor, path, data in steps:
        response = actor.client.post(path, data={"csrf_token": tokens[actor], **data}, headers=EVIL)
        assert response.status_code == 400, path
        assert b"evil.example" not in response.get_data(), path
        assert actor.client.get(path, headers=EVIL).status_code == 400, path
    assert snapshot() == before
    # The same teacher on the real host is still served.
    assert teacher.client.get("/badges").status_code == 200
