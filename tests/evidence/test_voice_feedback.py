"""A teacher returns a submission with a voice message: stored once, heard only by those allowed."""
import hashlib
import io
import json
import uuid
import zipfile

import pytest

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.models import Outbox, Role, Submission, SubmissionEvent
from backpack.storage import media_store
from tests.conftest import csrf_from, new_client
from tests.evidence import samples
from tests.support.push_service import give_device

VOICE = samples.webm(2.0, video=False)


@pytest.fixture
def school(make_user, make_classroom, make_issuer, make_achievement, enrol):
    """Ms Okafor teaches Lena, who sent a photo for a badge; Omar learns there too; Mr Outside
    teaches Lena in another school."""
    teacher = make_user(Role.TEACHER, "Ms Okafor")
    lena = make_user(Role.LEARNER, "Lena")
    omar = make_user(Role.LEARNER, "Omar")
    make_classroom(teacher, lena, omar, name="Welding 1")
    badge = make_achievement(make_issuer(teacher), by=teacher)
    outsider = make_user(Role.TEACHER, "Mr Outside")
    make_classroom(outsider, lena, name="Evening class")
    make_issuer(outsider, name="Another school")
    item, _created = capture.save_evidence(lena, samples.jpeg(), idempotency_key=str(uuid.uuid4()))
    db.session.commit()
    sent = submissions.save(lena, badge, evidence_ids=[item.public_id], reflection="My weld", send=True)
    db.session.commit()
    return {
        "teacher": enrol(teacher),
        "lena": enrol(lena),
        "omar": enrol(omar),
        "outsider": enrol(outsider),
        "submission": sent.public_id,
        "badge": badge,
    }


def give_back(actor, public_id, feedback="", audio: bytes | None = None, filename="voice.webm"):
    """Post the review page's return form as the browser does: multipart, with its CSRF token."""
    form = {
        "csrf_token": csrf_from(actor.client.get(f"/review/{public_id}").get_data(as_text=True)),
        "feedback": feedback,
    }
    if audio is not None:
        form["audio"] = (io.BytesIO(audio), filename, "audio/webm")
    response = actor.client.post(f"/review/{public_id}/return", data=form, content_type="multipart/form-data")
    response.close()
    return response


def the_return(public_id) -> SubmissionEvent | None:
    db.session.expire_all()
    submission = db.session.scalar(db.select(Submission).where(Submission.public_id == public_id))
    return submission.last_return


def audio_url(public_id, step) -> str:
    return f"/submissions/{public_id}/feedback/{step.id}/audio"


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    response.get_data()  # read before closing, so the test can look at it afterwards
    response.close()
    return response


def test_voice_only_is_stored_served_and_announced(app, school, stored_files):
    lena, public_id = school["lena"], school["submission"]
    give_device(lena.user)
    before = len(stored_files())

    assert give_back(school["teacher"], public_id, audio=VOICE).status_code == 302

    step = the_return(public_id)
    assert step.text == "" and step.audio_mimetype == "audio/webm"
    assert step.audio_size == len(VOICE) and step.audio_sha256 == hashlib.sha256(VOICE).hexdigest()
    assert 1.5 <= step.audio_seconds <= 2.0  # the sample's last block starts before its end
    assert len(stored_files()) == before + 1
    assert step.submission.state == "returned"

    [told] = db.session.scalars(db.select(Outbox).where(Outbox.kind == "submission-returned")).all()
    assert told.user_id == lena.user.id
    assert told.payload["body"] == "Your teacher left you a voice message"

    page = lena.client.get(f"/my/submissions/{school['badge'].public_id}").get_data(as_text=True)
    assert page.count(f'src="{audio_url(public_id, step)}"') == 2  # the feedback, and the history

    whole = get(lena.client, audio_url(public_id, step))
    assert whole.status_code == 200 and whole.get_data() == VOICE
    assert whole.headers["Content-Type"] == "audio/webm"
    part = get(lena.client, audio_url(public_id, step), Range="bytes=0-9")
    assert part.status_code == 206 and part.get_data() == VOICE[:10]
    assert get(school["teacher"].client, audio_url(public_id, step)).status_code == 200


def test_text_only_stores_no_audio(app, school, stored_files):
    before = len(stored_files())
    assert give_back(school["teacher"], school["submission"], feedback="Show the joint closer.").status_code == 302
    step = the_return(school["submission"])
    assert step.text == "Show the joint closer." and step.audio_key is None
    assert len(stored_files()) == before


def test_text_and_voice_together(app, school):
    give_device(school["lena"].user)
    response = give_back(school["teacher"], school["submission"], feedback="Listen to this.", audio=samples.ogg_opus())
    assert response.status_code == 302
    step = the_return(school["submission"])
    assert step.text == "Listen to this." and step.audio_mimetype == "audio/ogg"
    [told] = db.session.scalars(db.select(Outbox).where(Outbox.kind == "submission-returned")).all()
    assert told.payload["body"] == "Listen to this."


@pytest.mark.parametrize(
    "audio, status",
    [
        (None, 400),  # neither text nor voice
        (samples.pdf(), 415),  # a document renamed .webm
        (samples.HTML, 415),
        (samples.jpeg(), 415),  # a real file, but not a sound recording
        (samples.webm(2.0, video=True), 415),  # a video is not a voice message
    ],
    ids=["neither", "pdf", "html", "photo", "video"],
)
def test_a_return_without_feedback_or_with_a_non_audio_file_changes_nothing(app, school, stored_files, audio, status):
    before = len(stored_files())
    response = give_back(school["teacher"], school["submission"], audio=audio)
    assert response.status_code == status
    assert the_return(school["submission"]) is None
    db.session.expire_all()
    submission = db.session.scalar(db.select(Submission).where(Submission.public_id == school["submission"]))
    assert submission.state == "submitted"
    assert [step.action for step in submission.events] == ["submitted"]
    assert len(stored_files()) == before


def test_the_refusal_is_shown_on_the_review_page(app, school):
    teacher, public_id = school["teacher"], school["submission"]
    form = {
        "csrf_token": csrf_from(teacher.client.get(f"/review/{public_id}").get_data(as_text=True)),
        "feedback": "",
    }
    page = teacher.client.post(f"/review/{public_id}/return", data=form).get_data(as_text=True)
    assert "Please write what the learner should do next, or record a voice message." in page
    form["audio"] = (io.BytesIO(samples.pdf()), "voice.webm", "audio/webm")
    page = teacher.client.post(f"/review/{public_id}/return", data=form).get_data(as_text=True)
    assert "Please record a voice message, or choose a sound recording" in page


def test_only_the_learner_and_her_reviewers_hear_it(app, school):
    public_id = school["submission"]
    give_back(school["teacher"], public_id, audio=VOICE)
    url = audio_url(public_id, the_return(public_id))
    assert get(school["omar"].client, url).status_code == 404
    assert get(school["outsider"].client, url).status_code == 404
    anonymous = get(new_client(app), url)
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]
    # A step of the submission without a voice message, and one of another submission.
    first = the_return(public_id).submission.events[0]
    assert get(school["lena"].client, audio_url(public_id, first)).status_code == 404
    assert get(school["lena"].client, f"/submissions/{uuid.uuid4()}/feedback/1/audio").status_code == 404


def test_deleting_the_account_removes_the_voice_message(app, school):
    lena, public_id = school["lena"], school["submission"]
    give_back(school["teacher"], public_id, audio=VOICE)
    key = the_return(public_id).audio_key
    assert media_store().exists(key)
    csrf = csrf_from(lena.client.get("/account/").get_data(as_text=True))
    response = lena.client.post("/account/delete", data={"csrf_token": csrf, "confirm": "delete"})
    assert response.status_code == 302
    assert not media_store().exists(key)
    assert db.session.scalar(db.select(db.func.count()).select_from(SubmissionEvent)) == 0


def test_the_export_holds_the_voice_message_with_its_checksum(app, school):
    lena, public_id = school["lena"], school["submission"]
    give_back(school["teacher"], public_id, audio=VOICE)
    step = the_return(public_id)
    response = lena.client.get("/my/data.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        name = f"feedback/{public_id}-{step.id}.webm"
        assert archive.read(name) == VOICE
        manifest = json.loads(archive.read("manifest.json"))
    response.close()
    [entry] = [row for row in manifest["files"] if row["path"] == name]
    assert entry["sha256"] == step.audio_sha256 == hashlib.sha256(VOICE).hexdigest()
    assert entry["size"] == len(VOICE)


def test_a_voice_message_for_a_submission_already_returned_leaves_no_file(app, school, stored_files):
    teacher, public_id = school["teacher"], school["submission"]
    assert give_back(teacher, public_id, feedback="First answer").status_code == 302
    before = len(stored_files())
    # A second tap (or a colleague) a moment later: refused after the file was written.
    response = give_back(teacher, public_id, audio=VOICE)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/{public_id}")
    assert len(stored_files()) == before
    step = the_return(public_id)
    assert (step.text, step.audio_key) == ("First answer", None)
    assert len(step.submission.events) == 2
