"""The learner's badge page lists the evidence the credential was awarded for.

A badge awarded from a submission carries its items in the signed credential's evidence[]
as links to the app's media route; the learner's own badge page must show those links
(they open for the learner only). A teacher's note and link are shown as before, once.
"""
import json
import re
import uuid

from markupsafe import escape

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing import awarding
from backpack.models import Award, Role
from tests.conftest import csrf_from
from tests.evidence import samples

NASTY = '<img src=x onerror="alert(1)">'


def page_links(html: str) -> list[str]:
    section = re.search(r"<ul data-credential-evidence>(.*?)</ul>", html, re.DOTALL)
    return re.findall(r'href="([^"]+)"', section.group(1)) if section else []


def test_the_badge_page_links_the_evidence_the_badge_was_awarded_for(
    make_user, make_classroom, make_issuer, make_achievement, enrol
):
    teacher_user = make_user(Role.TEACHER, "Ms Okafor")
    learner_user = make_user(Role.LEARNER, "Lucía")
    make_classroom(teacher_user, learner_user)
    badge = make_achievement(make_issuer(teacher_user), by=teacher_user)
    photo, _ = capture.save_evidence(
        learner_user, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="My weld " + NASTY,
        reflection="A clean bead",
    )
    db.session.commit()
    voice, _ = capture.save_evidence(learner_user, samples.ogg_opus(), idempotency_key=str(uuid.uuid4()))
    db.session.commit()
    submission = submissions.save(
        learner_user, badge, evidence_ids=[photo.public_id, voice.public_id], reflection="", send=True
    )
    db.session.commit()
    teacher, learner = enrol(teacher_user), enrol(learner_user)
    csrf = csrf_from(teacher.client.get("/review").get_data(as_text=True))
    response = teacher.client.post(f"/review/{submission.public_id}/award", data={"csrf_token": csrf})
    assert response.status_code == 302
    award = db.session.scalar(db.select(Award).where(Award.learner_id == learner_user.id))
    credential_links = [entry["id"] for entry in json.loads(award.credential_json)["evidence"]]

    html = learner.client.get(f"/my/badges/{award.public_id}").get_data(as_text=True)
    assert page_links(html) == credential_links
    assert credential_links == [f"https://localhost/evidence/{item.public_id}/media" for item in (photo, voice)]
    # Named by its title (escaped), or by its address when it has none; with its reflection.
    assert str(escape("My weld " + NASTY)) in html and NASTY not in html
    assert f">{credential_links[1]}</a>" in html
    assert "A clean bead" in html


def test_a_directly_awarded_badge_shows_the_teachers_note_and_link_once(
    make_user, make_issuer, make_achievement, enrol
):
    teacher_user = make_user(Role.TEACHER, "Ms Okafor")
    learner_user = make_user(Role.LEARNER, "Omar")
    badge = make_achievement(make_issuer(teacher_user), by=teacher_user)
    award = awarding.award(
        badge, [learner_user], by=teacher_user, note="Passed the practical.",
        evidence_url="https://riverside.example/portfolio/omar",
    ).created[0]
    db.session.commit()
    html = enrol(learner_user).client.get(f"/my/badges/{award.public_id}").get_data(as_text=True)
    assert "data-credential-evidence" not in html
    assert html.count("https://riverside.example/portfolio/omar") == 2  # href and text
    assert html.count("Passed the practical.") == 1
