"""A review that meets another change is rolled back whole and told truthfully what happened.

"Already reviewed" only if the submission really was reviewed meanwhile (read again after the
rollback); any other conflict (an award of the same badge, a status index taken at that
moment) is "Two changes met; nothing was saved. Please try again.", and trying again works.
"""
import threading
import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import Award, Role, Submission, SubmissionEvent, User
from tests.conftest import csrf_from, tiny_png

CHANGES_MET = "Two changes met; nothing was saved. Please try again."
ALREADY_REVIEWED = "Someone has already reviewed this. Nothing was changed."


@pytest.fixture
def sent(make_user, make_classroom, make_issuer, make_achievement, enrol):
    """Amina sent a photo for "Speaking B1" to Ms Haddad, who teaches her and issues the badge."""
    teacher = make_user(Role.TEACHER, "Ms Haddad")
    learner = make_user(Role.LEARNER, "Amina Diallo")
    make_classroom(teacher, learner)
    badge = make_achievement(make_issuer(teacher), by=teacher, name="Speaking B1")
    item, _created = capture.save_evidence(learner, tiny_png(), idempotency_key=str(uuid.uuid4()))
    submission = submissions.save(learner, badge, evidence_ids=[item.public_id], reflection="I talked", send=True)
    db.session.commit()
    return enrol(teacher), submission


def review(teacher, submission, action: str, **fields) -> str:
    """Press a review button; return the page it leads to."""
    token = csrf_from(teacher.client.get(f"/review/{submission.public_id}").get_data(as_text=True))
    response = teacher.client.post(f"/review/{submission.public_id}/{action}", data={"csrf_token": token, **fields})
    assert response.status_code == 302
    return teacher.client.get(response.headers["Location"]).get_data(as_text=True)


def met_at_insert(*args, **kwargs):
    """The award's INSERT as it fails when another transaction stored a clashing row first."""
    raise IntegrityError(
        "INSERT INTO awards", {}, Exception("UNIQUE constraint failed: awards.status_list_id, awards.status_index")
    )


def state_of(submission) -> tuple[str, int, int]:
    db.session.expire_all()
    found = db.session.get(Submission, submission.id)
    events = db.session.scalar(
        db.select(db.func.count(SubmissionEvent.id)).where(SubmissionEvent.submission_id == submission.id)
    )
    return found.state, events, db.session.scalar(db.select(db.func.count(Award.id)))


def test_an_award_that_meets_another_change_says_so_saves_nothing_and_works_when_tried_again(app, sent, monkeypatch):
    teacher, submission = sent
    before = state_of(submission)
    monkeypatch.setattr(awarding, "award", met_at_insert)

    page = review(teacher, submission, "award")

    assert CHANGES_MET in page and ALREADY_REVIEWED not in page
    assert state_of(submission) == before == ("submitted", 1, 0)
    monkeypatch.undo()
    page = review(teacher, submission, "award")
    assert "Badge awarded to Amina Diallo." in page
    assert state_of(submission) == ("awarded", 2, 1)


@pytest.fixture
def reviewed_elsewhere_after_rollback(app, sent):
    """After the next rollback, the same teacher's other tab returns the submission (committed)."""
    teacher, submission = sent
    ids = (submission.id, teacher.user.id)
    armed = [True]

    def return_it():
        with app.app_context():
            found = db.session.get(Submission, ids[0])
            submissions.return_with_feedback(found, db.session.get(User, ids[1]), "Please add a recording.")
            db.session.commit()

    def other_tab(session, *args):
        if armed:
            armed.clear()
            other = threading.Thread(target=return_it)
            other.start()
            other.join(timeout=30)

    event.listen(Session, "after_rollback", other_tab)
    yield
    event.remove(Session, "after_rollback", other_tab)
    assert not armed, "the other tab never ran"


def test_an_award_that_met_a_review_done_meanwhile_says_already_reviewed(
    app, sent, monkeypatch, reviewed_elsewhere_after_rollback
):
    teacher, submission = sent
    monkeypatch.setattr(awarding, "award", met_at_insert)

    page = review(teacher, submission, "award")

    assert ALREADY_REVIEWED in page and CHANGES_MET not in page
    assert state_of(submission) == ("returned", 2, 0)


def test_a_return_that_meets_another_change_says_so_and_saves_nothing(app, sent, monkeypatch):
    teacher, submission = sent
    real_return = submissions.return_with_feedback

    def met_at_flush(*args, **kwargs):
        real_return(*args, **kwargs)
        raise IntegrityError("INSERT INTO submission_events", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(submissions, "return_with_feedback", met_at_flush)

    page = review(teacher, submission, "return", feedback="Show the joint closer.")

    assert CHANGES_MET in page and ALREADY_REVIEWED not in page
    assert state_of(submission) == ("submitted", 1, 0)
    assert db.session.get(Submission, submission.id).feedback is None
    monkeypatch.undo()
    assert "Returned to Amina Diallo with your feedback." in review(teacher, submission, "return", feedback="Closer, please.")
    assert state_of(submission) == ("returned", 2, 0)
