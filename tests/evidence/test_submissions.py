"""Submissions: a learner sends evidence for a badge, a teacher returns or awards it."""
import json
import uuid
from urllib.parse import urlsplit

import pytest
from flask import current_app
from flask_babel import force_locale
from markupsafe import escape

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing import awarding, status
from backpack.issuing.verification import verify_award
from backpack.models import (
    Award,
    Classroom,
    Issuer,
    Outbox,
    Role,
    Submission,
    SubmissionEvent,
    issuer_members,
)
from tests.conftest import csrf_from
from tests.evidence import samples
from tests.notify.conftest import say
from tests.support.push_service import give_device


def keep(user, data: bytes, title: str = "", reflection: str = ""):
    item, _created = capture.save_evidence(
        user, data, idempotency_key=str(uuid.uuid4()), title=title, reflection=reflection
    )
    db.session.commit()
    return item


def post(actor, path: str, data: dict | None = None):
    form = dict(data or {})
    form["csrf_token"] = csrf_from(actor.client.get("/language").get_data(as_text=True))
    response = actor.client.post(path, data=form)
    response.close()
    return response


def status_of(actor, path: str) -> int:
    response = actor.client.get(path)
    response.close()
    return response.status_code


def outbox(kind: str) -> list[Outbox]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)))


@pytest.fixture
def school(make_user, make_classroom, make_issuer, make_achievement, enrol):
    """A teacher of a class in her school's issuer; Lucía (in Spanish) and Omar learn there."""
    teacher = make_user(Role.TEACHER, "Ms Okafor", preferred_language="ar")
    lucia = make_user(Role.LEARNER, "Lucía", preferred_language="es")
    omar = make_user(Role.LEARNER, "Omar")
    classroom = make_classroom(teacher, lucia, omar, name="Welding 1")
    issuer = make_issuer(teacher)
    badge = make_achievement(
        issuer, by=teacher, name="Safe welding", translations={"es": {"name": "Soldadura segura"}, "ar": {"name": "لحام آمن"}}
    )
    # Teaches Lucía too, but is not a member of the badge's issuer.
    outsider = make_user(Role.TEACHER, "Mr Outside")
    make_classroom(outsider, lucia, name="Evening class")
    make_issuer(outsider, name="Another school")
    # A member of the issuer who does not teach Lucía.
    colleague = make_user(Role.TEACHER, "Ms Colleague")
    db.session.execute(
        db.text("INSERT INTO issuer_members (issuer_id, user_id) VALUES (:i, :u)"), {"i": issuer.id, "u": colleague.id}
    )
    db.session.commit()
    return {
        "teacher": enrol(teacher),
        "lucia": enrol(lucia),
        "omar": enrol(omar),
        "outsider": enrol(outsider),
        "colleague": enrol(colleague),
        "classroom": classroom,
        "issuer": issuer,
        "badge": badge,
    }


def test_submit_return_resubmit_award_and_the_evidence_links(app, school):
    teacher, lucia, omar = school["teacher"], school["lucia"], school["omar"]
    badge = school["badge"]
    give_device(teacher.user)
    give_device(lucia.user)
    photo = keep(lucia.user, samples.jpeg(), title="My weld", reflection="A clean bead")
    clip = keep(lucia.user, samples.mp4(), title="Me explaining")
    voice = keep(lucia.user, samples.ogg_opus(), title="Interview answer")
    page = f"/my/submissions/{badge.public_id}"

    # Lucía finds the badge and sends a photo with her reflection.
    listing = lucia.client.get("/my/submissions").get_data(as_text=True)
    assert page in listing and "Soldadura segura" in listing
    assert post(lucia, page, {"evidence": [photo.public_id], "reflection": "First try", "action": "submit"}).status_code == 302
    submission = db.session.scalar(db.select(Submission))
    assert (submission.state, submission.rounds) == ("submitted", 1)

    [told] = outbox("evidence-submitted")
    assert told.user_id == teacher.user.id
    assert told.payload["lang"] == "ar" and told.payload["dir"] == "rtl"
    assert told.payload["title"] == say("ar", "Evidence to review: %(name)s", name="لحام آمن")
    assert told.payload["url"] == f"/review/{submission.public_id}"

    # The teacher sees it in her queue and opens the photo; others cannot.
    queue = teacher.client.get("/review").get_data(as_text=True)
    assert submission.public_id in queue
    review = teacher.client.get(f"/review/{submission.public_id}").get_data(as_text=True)
    assert f"/evidence/{photo.public_id}/media" in review and "First try" in review
    assert status_of(teacher, f"/evidence/{photo.public_id}/media") == 200
    assert status_of(teacher, f"/evidence/{clip.public_id}/media") == 404  # not in the submission
    for other in ("outsider", "colleague"):
        assert status_of(school[other], f"/evidence/{photo.public_id}/media") == 404
        assert status_of(school[other], f"/review/{submission.public_id}") == 404
        assert submission.public_id not in school[other].client.get("/review").get_data(as_text=True)
    assert status_of(omar, f"/evidence/{photo.public_id}/media") == 404

    # Returning needs words; then Lucía is told, in Spanish.
    assert post(teacher, f"/review/{submission.public_id}/return", {"feedback": "   "}).status_code == 400
    assert post(teacher, f"/review/{submission.public_id}/return", {"feedback": "Show the joint closer."}).status_code == 302
    db.session.expire_all()
    assert (submission.state, submission.feedback) == ("returned", "Show the joint closer.")
    [returned] = outbox("submission-returned")
    assert returned.user_id == lucia.user.id
    assert returned.payload["lang"] == "es" and returned.payload["dir"] == "ltr"
    assert returned.payload["title"] == say("es", "Your teacher replied: %(name)s", name="Soldadura segura")
    assert returned.payload["body"] == "Show the joint closer."
    assert teacher.client.get(f"/review/{submission.public_id}").status_code == 200
    assert submission.public_id not in teacher.client.get("/review").get_data(as_text=True)
    # A second tap on "return" changes nothing.
    post(teacher, f"/review/{submission.public_id}/return", {"feedback": "Again"})
    db.session.expire_all()
    assert submission.feedback == "Show the joint closer."

    # Lucía reads the feedback and sends again, with a video and a voice clip.
    mine = lucia.client.get(page).get_data(as_text=True)
    assert "Show the joint closer." in mine
    chosen = [photo.public_id, clip.public_id, voice.public_id]
    assert post(lucia, page, {"evidence": chosen, "reflection": "Closer now", "action": "submit"}).status_code == 302
    db.session.expire_all()
    assert (submission.state, submission.rounds) == ("submitted", 2)
    assert len(outbox("evidence-submitted")) == 2
    review = teacher.client.get(f"/review/{submission.public_id}").get_data(as_text=True)
    assert f'<video controls preload="metadata" src="/evidence/{clip.public_id}/media"' in review
    assert f'<audio controls preload="metadata" src="/evidence/{voice.public_id}/media"' in review
    assert status_of(teacher, f"/evidence/{clip.public_id}/media") == 200

    # The teacher awards it; a double tap issues nothing more.
    assert post(teacher, f"/review/{submission.public_id}/award").status_code == 302
    assert post(teacher, f"/review/{submission.public_id}/award").status_code == 302
    db.session.expire_all()
    [award] = db.session.scalars(db.select(Award)).all()
    assert submission.state == "awarded" and submission.award_id == award.id
    assert verify_award(award).status == "valid"
    actions = [event.action for event in db.session.scalars(db.select(SubmissionEvent).order_by(SubmissionEvent.id))]
    assert actions == ["submitted", "returned", "submitted", "awarded"]
    assert len(outbox("badge-awarded")) == 1

    evidence = json.loads(award.credential_json)["evidence"]
    assert [entry["id"] for entry in evidence] == [
        f"https://localhost/evidence/{item.public_id}/media" for item in (photo, clip, voice)
    ]
    assert evidence[0]["name"] == "My weld" and evidence[0]["narrative"] == "A clean bead"
    for entry in evidence:
        path = urlsplit(entry["id"]).path
        assert status_of(lucia, path) == 200
        assert status_of(omar, path) == 404
        assert status_of(school["outsider"], path) == 404
    # Lucía sees it awarded, with her badge.
    mine = lucia.client.get(page).get_data(as_text=True)
    assert f"/my/badges/{award.public_id}" in mine


def test_another_learners_evidence_is_refused_and_nothing_is_stored(school):
    lucia, omar = school["lucia"], school["omar"]
    theirs = keep(omar.user, samples.jpeg())
    mine = keep(lucia.user, samples.jpeg())
    page = f"/my/submissions/{school['badge'].public_id}"
    response = post(lucia, page, {"evidence": [mine.public_id, theirs.public_id], "action": "submit"})
    assert response.status_code == 400
    assert post(lucia, page, {"evidence": [str(uuid.uuid4())], "action": "draft"}).status_code == 400
    assert db.session.scalar(db.select(Submission)) is None
    assert post(lucia, page, {"action": "submit"}).status_code == 400  # nothing chosen
    assert db.session.scalar(db.select(Submission)) is None
    # A draft is the learner's alone: the teacher cannot open it.
    assert post(lucia, page, {"evidence": [mine.public_id], "action": "draft"}).status_code == 302
    draft = db.session.scalar(db.select(Submission))
    assert draft.state == "draft" and outbox("evidence-submitted") == []
    assert status_of(school["teacher"], f"/review/{draft.public_id}") == 404
    assert status_of(school["teacher"], f"/evidence/{mine.public_id}/media") == 404


def in_spanish(message) -> str:
    """Return a message as Lucía (who reads Spanish) sees it, escaped as in the page."""
    with current_app.test_request_context(), force_locale("es"):
        translated = str(message)
    assert translated != str(message), "the Spanish catalogue lacks this message"
    return str(escape(translated))


def test_held_and_revoked_badges_are_refused(school):
    teacher, lucia, omar = school["teacher"], school["lucia"], school["omar"]
    badge = school["badge"]
    item = keep(lucia.user, samples.jpeg())
    other_item = keep(omar.user, samples.jpeg())
    award = awarding.award(badge, [lucia.user], by=teacher.user).created[0]
    awarding.award(badge, [omar.user], by=teacher.user)
    db.session.commit()
    page = f"/my/submissions/{badge.public_id}"
    response = lucia.client.get(page)
    assert in_spanish(submissions.ALREADY_HELD) in response.get_data(as_text=True)
    assert post(lucia, page, {"evidence": [item.public_id], "action": "submit"}).status_code == 409

    status.revoke(award, "Copied work", by=teacher.user)
    db.session.commit()
    response = post(lucia, page, {"evidence": [item.public_id], "action": "submit"})
    assert response.status_code == 409
    assert in_spanish(submissions.REVOKED) in lucia.client.get(page).get_data(as_text=True)
    assert db.session.scalar(db.select(Submission)) is None
    assert post(omar, page, {"evidence": [other_item.public_id], "action": "submit"}).status_code == 409
    # Not offered on the list either.
    assert page not in lucia.client.get("/my/submissions").get_data(as_text=True)


def test_a_badge_of_an_issuer_none_of_my_teachers_belongs_to_is_404(school, make_achievement):
    outsider = school["outsider"].user
    other_badge = make_achievement(_issuer_of(outsider), by=outsider, name="Elsewhere")
    assert status_of(school["omar"], f"/my/submissions/{other_badge.public_id}") == 404
    # Lucía is in the outsider's class, so she may send evidence for his badges.
    assert status_of(school["lucia"], f"/my/submissions/{other_badge.public_id}") == 200


def _issuer_of(user):
    return db.session.scalar(
        db.select(Issuer).join(issuer_members).where(issuer_members.c.user_id == user.id)
    )


def test_queue_is_newest_first_and_filters_by_class_and_badge(school, make_user, make_classroom, make_achievement):
    teacher = school["teacher"]
    badge = school["badge"]
    second_badge = make_achievement(school["issuer"], by=teacher.user, name="Grinding")
    newcomer = make_user(Role.LEARNER, "Nadia")
    second_class = make_classroom(teacher.user, newcomer, name="Welding 2")
    sent = []
    for learner, achievement in ((school["lucia"].user, badge), (newcomer, badge), (school["omar"].user, second_badge)):
        item = keep(learner, samples.jpeg())
        sent.append(submissions.save(learner, achievement, evidence_ids=[item.public_id], reflection="", send=True))
        db.session.commit()

    def order(query: str = "") -> list[str]:
        page = teacher.client.get(f"/review{query}").get_data(as_text=True)
        found = [s.public_id for s in sent if s.public_id in page]
        return sorted(found, key=page.index)

    assert order() == [sent[2].public_id, sent[1].public_id, sent[0].public_id]
    assert order(f"?classroom={second_class.id}") == [sent[1].public_id]
    assert order(f"?classroom={school['classroom'].id}") == [sent[2].public_id, sent[0].public_id]
    assert order(f"?badge={badge.id}") == [sent[1].public_id, sent[0].public_id]
    assert order(f"?badge={second_badge.id}&classroom={school['classroom'].id}") == [sent[2].public_id]
    # Someone else's class as a filter shows nothing rather than their learners.
    outsider_class = db.session.scalar(db.select(Classroom).where(Classroom.teacher_id == school["outsider"].user.id))
    assert order(f"?classroom={outsider_class.id}") == []
    assert order("?classroom=nonsense") == order()


def test_the_backpack_home_lists_submissions_until_they_are_awarded(school):
    teacher, omar = school["teacher"], school["omar"]
    badge = school["badge"]
    item = keep(omar.user, samples.jpeg())
    home = omar.client.get("/").get_data(as_text=True)
    assert "data-pending-submissions" not in home

    post(omar, f"/my/submissions/{badge.public_id}", {"evidence": [item.public_id], "action": "submit"})
    home = omar.client.get("/").get_data(as_text=True)
    assert 'data-submission-state="submitted"' in home and "Safe welding" in home
    assert f"/my/submissions/{badge.public_id}" in home

    submission = db.session.scalar(db.select(Submission))
    post(teacher, f"/review/{submission.public_id}/award")
    db.session.expire_all()
    assert submission.state == "awarded"
    home = omar.client.get("/").get_data(as_text=True)
    assert "data-pending-submissions" not in home and "Safe welding" in home
