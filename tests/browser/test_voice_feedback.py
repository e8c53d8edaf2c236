"""Ms Okafor answers Lena's submission with her voice, and Lena listens to it on her phone.

The teacher records with the phone's microphone on the review page (the recording goes
into the return form's file input) and returns the submission; Lena opens it and finds a
player for the voice message, whose file the server hands to her.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.issuers import create_issuer
from backpack.models import Role, Submission, User
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import camera_phone, join, start_class, wait_until_wired
from tests.conftest import tiny_png
from tests.evidence import samples

pytestmark = pytest.mark.browser


def sent_for_a_badge(server, teacher, learner) -> tuple[str, str]:
    """Lena has sent a photo for one of the teacher's badges; return the submission and badge ids."""
    with server.database() as session:
        teacher_user, learner_user = session.get(User, teacher.user_id), session.get(User, learner.user_id)
        issuer = create_issuer("Riverside Adult School", members=[teacher_user], url="https://riverside.example")
        badge = create_achievement(
            issuer,
            by=teacher_user,
            name="Safe welding",
            description="Welds safely in the workshop.",
            criteria="Weld a joint that passes inspection.",
            image_png=tiny_png(),
        )
        photo, _created = capture.save_evidence(learner_user, samples.jpeg(), idempotency_key=str(uuid.uuid4()))
        db.session.commit()
        sent = submissions.save(learner_user, badge, evidence_ids=[photo.public_id], reflection="My first weld", send=True)
        session.commit()
        return sent.public_id, badge.public_id


def voice_message_of(server, public_id: str) -> tuple[str | None, float | None]:
    with server.database() as session:
        submission = session.scalar(db.select(Submission).where(Submission.public_id == public_id))
        step = submission.last_return
        return step.audio_mimetype, step.audio_seconds


def test_teacher_returns_a_submission_with_a_voice_message(phones, live_server):
    okafor = live_server.make_person(Role.TEACHER, "Ms Okafor")
    lena = live_server.make_person(Role.LEARNER, "Lena")
    start_class(live_server, okafor, [lena])
    lena_phone = phones()
    join(lena_phone, lena)
    teacher_phone = camera_phone(phones, live_server)
    join(teacher_phone, okafor)
    public_id, badge_id = sent_for_a_badge(live_server, okafor, lena)

    # The teacher records a short voice message instead of typing.
    page = teacher_phone.page
    teacher_phone.open(f"/review/{public_id}")
    wait_until_wired(page)
    assert_accessible(page, "review page with the voice recorder")
    page.get_by_role("button", name="Record voice message").click()
    expect(page.locator("[data-record-duration]")).to_have_text(re.compile(r"^0:(0[1-9]|[1-5]\d)$"))
    page.get_by_role("button", name="Stop recording").click()
    expect(page.get_by_text("Voice message ready")).to_be_visible()
    page.get_by_role("button", name="Return with feedback").click()
    page.wait_for_url(re.compile(r"/review$"))
    expect(page.get_by_role("status").first).to_contain_text("Returned to Lena with your feedback.")

    mimetype, seconds = voice_message_of(live_server, public_id)
    assert mimetype in {"audio/webm", "audio/mp4", "audio/ogg"}
    assert seconds is not None and seconds >= 0.5

    # Lena opens her submission and finds the voice message, which her phone can play.
    lena_phone.open(f"/my/submissions/{badge_id}")
    player = lena_phone.page.locator("[data-feedback-section] audio")
    expect(player).to_be_visible()
    assert_accessible(lena_phone.page, "returned submission with a voice message")
    source = player.get_attribute("src")
    assert source.startswith(f"/submissions/{public_id}/feedback/")
    answer = lena_phone.page.evaluate(
        "async (src) => { const r = await fetch(src); return [r.status, r.headers.get('content-type')]; }", source
    )
    assert answer == [200, mimetype]
