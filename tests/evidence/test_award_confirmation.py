"""Awarding from a review asks once, naming the learner and the badge; asking changes nothing."""
import uuid

import pytest

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.models import Award, Role, Submission
from tests.conftest import csrf_from, tiny_png


@pytest.fixture
def sent(make_user, make_classroom, make_issuer, make_achievement, enrol):
    """Amina sent a photo for "Speaking B1" to Ms Haddad, who teaches her and issues the badge."""
    teacher = make_user(Role.TEACHER, "Ms Haddad")
    learner = make_user(Role.LEARNER, "Amina Diallo")
    make_classroom(teacher, learner)
    badge = make_achievement(make_issuer(teacher), by=teacher, name="Speaking B1", translations={"es": {"name": "Hablar B1"}})
    item, _created = capture.save_evidence(learner, tiny_png(), idempotency_key=str(uuid.uuid4()))
    submission = submissions.save(learner, badge, evidence_ids=[item.public_id], reflection="I talked", send=True)
    db.session.commit()
    return enrol(teacher), submission


def awards() -> int:
    return db.session.scalar(db.select(db.func.count(Award.id)))


def test_the_review_page_asks_before_awarding(app, sent):
    teacher, submission = sent
    page = teacher.client.get(f"/review/{submission.public_id}").get_data(as_text=True)
    # Without script: a link to a page that asks. With it: a button that shows the same question here.
    assert f'href="/review/{submission.public_id}/award" data-confirm-fallback' in page
    assert 'aria-controls="confirm-award" data-confirm-open hidden' in page
    assert "Award “Speaking B1” to Amina Diallo?" in page
    assert f'action="/review/{submission.public_id}/award"' in page


def test_the_confirmation_page_names_the_learner_and_badge_and_awards_nothing(app, sent):
    teacher, submission = sent
    response = teacher.client.get(f"/review/{submission.public_id}/award")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Award “Speaking B1” to Amina Diallo?" in page
    assert "Yes, award the badge" in page
    assert f'href="/review/{submission.public_id}"' in page  # "Not yet" goes back to the review
    assert awards() == 0
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).state == "submitted"


def test_the_question_is_in_the_teachers_language(app, sent):
    teacher, submission = sent
    teacher.client.post("/language", data={"language": "es", "csrf_token": teacher.csrf("/language")})
    page = teacher.client.get(f"/review/{submission.public_id}/award").get_data(as_text=True)
    assert "Hablar B1" in page and "Amina Diallo" in page


def test_confirming_awards_once_and_a_late_confirmation_page_says_it_was_done(app, sent):
    teacher, submission = sent
    csrf = csrf_from(teacher.client.get(f"/review/{submission.public_id}/award").get_data(as_text=True))
    response = teacher.client.post(f"/review/{submission.public_id}/award", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert awards() == 1
    # The confirmation page opened in another tab, after the award: nothing to confirm any more.
    late = teacher.client.get(f"/review/{submission.public_id}/award")
    assert late.status_code == 302 and late.headers["Location"] == f"/review/{submission.public_id}"
    assert "Someone has already reviewed this" in teacher.client.get(late.headers["Location"]).get_data(as_text=True)
    assert awards() == 1


def test_the_award_still_needs_the_csrf_token(app, sent):
    teacher, submission = sent
    response = teacher.client.post(f"/review/{submission.public_id}/award", data={})
    assert response.status_code == 400
    assert awards() == 0
