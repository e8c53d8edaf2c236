"""A class is awarded as one batch: signed first, written at once, with everything an award had before."""
import json

import pytest
from sqlalchemy import event

from backpack.extensions import db
from backpack.issuing import awarding, status
from backpack.issuing.verification import verify_award
from backpack.models import Award, Outbox, PushSubscription, Role, StatusList


@pytest.fixture
def school(app, make_user, make_issuer, make_achievement, make_classroom):
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    learners = [make_user(Role.LEARNER, name) for name in ("Amina", "Carlos", "Lan", "Wei", "Fatima")]
    make_classroom(teacher, *learners)
    issuer = make_issuer(teacher)
    badge = make_achievement(issuer, by=teacher)
    db.session.commit()
    return teacher, learners, issuer, badge


def test_nothing_is_written_until_every_credential_is_signed(school, monkeypatch):
    """SQLite holds its write lock from the first write to the commit: signing stays outside it."""
    teacher, learners, _issuer, badge = school
    awarding.award(badge, learners[:1], by=teacher)  # the issuer's first status list is made (and signed) here
    db.session.commit()
    learners = learners[1:]
    events = []
    signing = awarding.proof.sign

    def sign(*args, **kwargs):
        events.append("sign")
        return signing(*args, **kwargs)

    def statement(conn, cursor, text, *args):
        if text.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            events.append("write")

    monkeypatch.setattr(awarding.proof, "sign", sign)
    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        outcome = awarding.award(badge, learners, by=teacher, note="Well done")
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)

    assert events.count("sign") == len(learners) == len(outcome.created)
    assert events[: len(learners)] == ["sign"] * len(learners)
    assert "write" in events
    assert [award.learner for award in outcome.created] == learners


def test_a_learner_named_twice_gets_one_award(school):
    teacher, learners, _issuer, badge = school

    outcome = awarding.award(badge, [learners[0], learners[1], learners[0]], by=teacher)
    db.session.commit()

    assert [award.learner for award in outcome.created] == learners[:2]
    assert outcome.already_held == [learners[0]]
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 2


def test_a_batch_that_fills_a_status_list_continues_on_a_new_one(school, monkeypatch):
    teacher, learners, issuer, badge = school
    monkeypatch.setattr(status, "FILL_LIMIT", 2)

    outcome = awarding.award(badge, learners, by=teacher)
    db.session.commit()

    lists = db.session.scalars(db.select(StatusList).order_by(StatusList.id)).all()
    assert [status_list.used for status_list in lists] == [2, 2, 1]
    assert len({(award.status_list_id, award.status_index) for award in outcome.created}) == len(learners)
    assert all(verify_award(award).status == "valid" for award in outcome.created)
    for award in outcome.created:
        entry = json.loads(award.credential_json)["credentialStatus"]
        assert entry["statusListCredential"] == award.status_list.url
        assert entry["statusListIndex"] == str(award.status_index)


def test_learners_with_a_phone_are_told_once(school):
    teacher, learners, _issuer, badge = school
    phone = PushSubscription(
        user_id=learners[1].id, endpoint="https://push.example/1", p256dh="k", auth="a", label="Phone", session_hash="s"
    )
    db.session.add(phone)
    db.session.commit()

    outcome = awarding.award(badge, learners[:3], by=teacher)
    db.session.commit()

    notices = db.session.scalars(db.select(Outbox).where(Outbox.kind == "badge-awarded")).all()
    told = next(award for award in outcome.created if award.learner_id == learners[1].id)
    assert [(notice.user_id, notice.dedupe_key) for notice in notices] == [
        (learners[1].id, f"badge-awarded:{told.public_id}")
    ]
    assert notices[0].payload["url"].endswith(told.public_id)
