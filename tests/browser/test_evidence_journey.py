"""From a photo of her work to a badge whose evidence only she can open.

Amina photographs her work on her phone, loses the connection and captures two more items,
and finds exactly three stored when she is back online. She sends them for a badge; her
teacher returns the submission with feedback; she answers it and sends again; the teacher
awards the badge. The signed credential lists the three items as links, which open on
Amina's phone and are refused to Bilal (another learner) and to someone not signed in.
"""
import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.issuers import create_issuer
from backpack.models import Award, Role, Submission, User
from backpack.storage import media_store
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import (
    QUEUED,
    camera_phone,
    join,
    open_evidence_page,
    queued_item,
    record_voice,
    start_class,
    stored_evidence,
    take_camera_photo,
    wait_until_connection,
)
from tests.conftest import tiny_png
from tests.evidence import samples

pytestmark = pytest.mark.browser

BADGE = "Tiling basics"
REFLECTION = "I tiled the corner and planned the cuts first."
FEEDBACK = "Show the grout lines close up, please."
SECOND_REFLECTION = "I added a close-up of the grout, as you asked."


def set_the_scene(server):
    """A teacher's organisation with a badge; Amina and Bilal in her class.

    Bilal sent evidence for the badge earlier, so Amina's submission must come first in
    the teacher's queue (newest first).
    """
    teacher = server.make_person(Role.TEACHER, "Ms Haddad")
    amina = server.make_person(Role.LEARNER, "Amina Diallo")
    bilal = server.make_person(Role.LEARNER, "Bilal Khan")
    start_class(server, teacher, [amina, bilal])
    # As a request to the live server would (the same public origin for links).
    with server.app.test_request_context(base_url=server.url):
        teacher_user = db.session.get(User, teacher.user_id)
        issuer = create_issuer(
            "Riverside Adult School", members=[teacher_user], url="https://riverside.example"
        )
        achievement = create_achievement(
            issuer,
            by=teacher_user,
            name=BADGE,
            description="Tiles a wall corner neatly.",
            criteria="Tile a corner and show the cuts and the grout.",
            image_png=tiny_png(),
        )
        db.session.commit()
        bilal_user = db.session.get(User, bilal.user_id)
        item, _created = capture.save_evidence(
            bilal_user, samples.jpeg(), idempotency_key=str(uuid.uuid4())
        )
        db.session.commit()
        submissions.save(
            bilal_user, achievement, evidence_ids=[item.public_id], reflection="", send=True
        )
        db.session.commit()
    return teacher, amina, bilal


def submission_of(server, person) -> Submission:
    with server.database() as session:
        found = session.scalar(db.select(Submission).where(Submission.learner_id == person.user_id))
        session.expunge_all()
        return found


def test_evidence_from_the_phone_to_a_badge_only_its_holder_can_open(phones, live_server):
    teacher, amina, bilal = set_the_scene(live_server)

    # --- 1. Amina captures: one photo online, a photo and a voice clip offline. ---------
    learner_phone = camera_phone(phones, live_server)
    page = learner_phone.page
    join(learner_phone, amina)
    open_evidence_page(learner_phone)
    take_camera_photo(page, "My tiled wall")
    expect(queued_item(page, "My tiled wall")).to_contain_text("Uploaded")

    learner_phone.context.set_offline(True)
    wait_until_connection(page, online=False)
    take_camera_photo(page, "Tiled corner", "I cut the corner tiles myself.")
    record_voice(page, "How I planned the cuts")
    expect(queued_item(page, "Tiled corner")).to_contain_text("Waiting to upload")
    expect(queued_item(page, "How I planned the cuts")).to_contain_text("Waiting to upload")
    assert len(stored_evidence(live_server, amina.user_id)) == 1

    learner_phone.context.set_offline(False)
    for title in ("My tiled wall", "Tiled corner", "How I planned the cuts"):
        expect(queued_item(page, title)).to_contain_text("Uploaded")
    assert page.evaluate(QUEUED) == 0  # each left the phone once the server had it
    items = stored_evidence(live_server, amina.user_id)
    assert [item.title for item in items] == ["My tiled wall", "Tiled corner", "How I planned the cuts"]
    assert [item.kind for item in items] == ["photo", "photo", "audio"]
    assert len({item.idempotency_key for item in items}) == 3
    assert len({item.object_key for item in items}) == 3
    with live_server.app.app_context():
        store = media_store()
        for item in items:
            assert store.exists(item.object_key), f"{item.title}: no stored file"
            assert store.size(item.object_key) == item.size
    assert_accessible(page, "evidence page, after capturing")

    # --- 2. She sends the three items for the badge, with a reflection. ----------------
    page.get_by_role("link", name="Send for a badge").click()
    page.wait_for_url(re.compile(r"/my/submissions$"))
    page.get_by_role("link", name=re.compile(BADGE)).click()
    page.wait_for_url(re.compile(r"/my/submissions/[\w-]+$"))
    submit_page = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    for item in items:
        page.get_by_role("checkbox", name=item.title).check()
    page.get_by_label("Your reflection: what did you do, and what did you learn?").fill(REFLECTION)
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_role("status").filter(has_text="Sent to your teacher.")).to_be_visible()
    expect(page.locator("[data-submission-state]")).to_have_text("Waiting for review")
    expect(page.get_by_role("button", name="Send to my teacher")).to_have_count(0)
    submission = submission_of(live_server, amina)
    assert (submission.state, submission.rounds) == ("submitted", 1)

    # --- 3. The teacher finds it first in her queue and returns it with feedback. -------
    teacher_phone = phones()
    review = teacher_phone.page
    join(teacher_phone, teacher)
    review.get_by_role("navigation").get_by_role("link", name="Review").click()
    review.wait_for_url(re.compile(r"/review$"))
    queue = review.locator("[data-submission]")
    expect(queue).to_have_count(2)
    expect(queue.first).to_have_attribute("data-submission", submission.public_id)
    expect(queue.first).to_contain_text("Amina Diallo")
    expect(queue.nth(1)).to_contain_text("Bilal Khan")
    assert_accessible(review, "review queue")
    queue.first.get_by_role("link").click()
    review.wait_for_url(re.compile(rf"/review/{submission.public_id}$"))
    expect(review.get_by_role("heading", level=1)).to_have_text(f"Amina Diallo for {BADGE}")
    expect(review.locator("[data-reflection]")).to_have_text(REFLECTION)
    shows_the_evidence(review, items)
    assert_accessible(review, "review page")
    review.get_by_label("Feedback for the learner").fill(FEEDBACK)
    review.get_by_role("button", name="Return with feedback").click()
    review.wait_for_url(re.compile(r"/review$"))
    expect(review.get_by_role("status")).to_have_text("Returned to Amina Diallo with your feedback.")
    expect(queue).to_have_count(1)

    # --- 4. Amina reads the feedback, answers it and sends again. ----------------------
    page.goto(submit_page)
    expect(page.locator("[data-submission-state]")).to_have_text("Returned with feedback")
    expect(page.locator("[data-feedback]")).to_have_text(FEEDBACK)
    assert_accessible(page, "submission, returned with feedback")
    for item in items:  # what she sent is still chosen
        expect(page.get_by_role("checkbox", name=item.title)).to_be_checked()
    reflection = page.get_by_label("Your reflection: what did you do, and what did you learn?")
    expect(reflection).to_have_value(REFLECTION)
    reflection.fill(SECOND_REFLECTION)
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.locator("[data-submission-state]")).to_have_text("Waiting for review")
    submission = submission_of(live_server, amina)
    assert (submission.state, submission.rounds) == ("submitted", 2)

    # --- 5. The teacher awards it; the credential carries the three items. -------------
    review.reload()
    expect(queue.first).to_have_attribute("data-submission", submission.public_id)
    queue.first.get_by_role("link").click()
    review.wait_for_url(re.compile(rf"/review/{submission.public_id}$"))
    expect(review.locator("[data-reflection]")).to_have_text(SECOND_REFLECTION)
    review.get_by_role("button", name="Award badge").click()
    review.get_by_role("button", name="Yes, award the badge").click()  # asked once (test_award_confirmation)
    review.wait_for_url(re.compile(r"/review$"))
    expect(review.get_by_role("status")).to_have_text("Badge awarded to Amina Diallo.")

    with live_server.database() as session:
        award = session.scalar(db.select(Award).where(Award.learner_id == amina.user_id))
        assert award is not None, "no award in the database"
        award_id, credential = award.public_id, json.loads(award.credential_json)
    links = [entry["id"] for entry in credential["evidence"]]
    assert links == [f"{live_server.url}/evidence/{item.public_id}/media" for item in items]
    assert [entry.get("name") for entry in credential["evidence"]] == [item.title for item in items]

    # --- 6. On her badge page the links are there, and open for her alone. -------------
    page.reload()
    expect(page.locator("[data-submission-state]")).to_have_text("Awarded")
    page.get_by_role("link", name="Open your badge").click()
    page.wait_for_url(f"{live_server.url}/my/badges/{award_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    expect(page.locator('[data-verification="valid"]')).to_be_visible()  # the signature holds
    for item, url in zip(items, links, strict=True):
        expect(page.get_by_role("link", name=item.title)).to_have_attribute("href", url)
    assert_accessible(page, "learner badge page with evidence")

    expected_types = {"photo": "image/", "audio": "audio/"}
    for item, url in zip(items, links, strict=True):
        response = page.request.get(url)
        assert response.status == 200, f"{item.title}: {response.status} for its owner"
        assert response.headers["content-type"].startswith(expected_types[item.kind])
        assert len(response.body()) == item.size

    bilal_phone = phones()
    join(bilal_phone, bilal)
    anonymous = phones()
    for url in links:
        assert bilal_phone.page.request.get(url).status == 404
        refused = anonymous.page.request.get(url, max_redirects=0)
        assert refused.status == 302, f"{refused.status} for someone not signed in"
        location = urlsplit(refused.headers["location"])  # sign in, then come back here
        assert location.path == "/signin"
        assert parse_qs(location.query)["next"] == [urlsplit(url).path]


def shows_the_evidence(page, items) -> None:
    """The review page shows each item: photos that load, a sound recording that plays."""
    figures = page.locator("figure.evidence-view")
    expect(figures).to_have_count(len(items))
    for figure, item in zip(figures.all(), items, strict=True):
        expect(figure.locator("figcaption")).to_contain_text(item.title)
        if item.kind == "photo":
            image = figure.locator("img")
            image.scroll_into_view_if_needed()  # lazy images load as the teacher scrolls
            expect(image).to_have_js_property("complete", True)
            assert image.evaluate("img => img.naturalWidth") > 0, f"{item.title} did not load"
        else:
            audio = figure.locator("audio")
            expect(audio).to_have_count(1)
            audio.scroll_into_view_if_needed()
            # preload="metadata": the browser fetched and understood the recording.
            audio.evaluate(
                "el => el.readyState >= 1 || new Promise((ok, fail) => {"
                " el.addEventListener('loadedmetadata', ok);"
                " el.addEventListener('error', () => fail(new Error('audio error ' + el.error?.code))); })"
            )


def test_deleting_evidence_removes_the_row_the_file_and_the_link(phones, live_server):
    learner = live_server.make_person(Role.LEARNER, "Chen Wei")
    phone = camera_phone(phones, live_server)
    page = phone.page
    join(phone, learner)
    open_evidence_page(phone)
    take_camera_photo(page, "Practice joint")
    take_camera_photo(page, "Finished joint")
    expect(queued_item(page, "Practice joint")).to_contain_text("Uploaded")
    expect(queued_item(page, "Finished joint")).to_contain_text("Uploaded")
    practice, finished = stored_evidence(live_server, learner.user_id)
    assert practice.thumbnail_key, "a photo is stored with its thumbnail"
    media_url = f"{live_server.url}/evidence/{practice.public_id}/media"
    assert page.request.get(media_url).status == 200

    page.reload()
    listed = page.get_by_role("list", name="My evidence").get_by_role("listitem")
    expect(listed).to_have_count(2)
    listed.filter(has_text="Practice joint").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status").filter(has_text="Deleted.")).to_be_visible()
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Finished joint")

    assert [item.public_id for item in stored_evidence(live_server, learner.user_id)] == [
        finished.public_id
    ]
    with live_server.app.app_context():
        store = media_store()
        assert not store.exists(practice.object_key)
        assert not store.exists(practice.thumbnail_key)
        assert store.exists(finished.object_key)
    assert page.request.get(media_url).status == 404
    thumbnail_url = f"{live_server.url}/evidence/{practice.public_id}/thumbnail"
    assert page.request.get(thumbnail_url).status == 404
