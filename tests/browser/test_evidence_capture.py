"""Amina captures evidence on her phone: one photo online, then a photo and a voice clip offline.

The phone keeps each item in IndexedDB with its own idempotency key and uploads it when
the connection is back; the server ends up with exactly three items, each stored once.
Photos are made smaller on the phone: a 12-megapixel picture leaves it at <= 1600 px.
"""
import io
from contextlib import contextmanager

import pytest
from flask import request, request_started
from PIL import Image
from playwright.sync_api import expect

from backpack.models import Role
from tests.browser.phone_photos import noisy_photo
from tests.browser.steps import QUEUED, stored_evidence, wait_until_connection, wait_until_controlled

pytestmark = pytest.mark.browser

UPLOAD_BUDGET = 400_000


@contextmanager
def uploads_received(server):
    """Collect the bytes of every file the server receives on POST /evidence, as they arrived."""
    received: list[bytes] = []

    def spy(sender, **extra):
        if request.method == "POST" and request.path == "/evidence" and "file" in request.files:
            upload = request.files["file"]
            received.append(upload.stream.read())
            upload.stream.seek(0)

    request_started.connect(spy, server.app, weak=False)
    try:
        yield received
    finally:
        request_started.disconnect(spy, server.app)


def test_learner_captures_online_and_offline_and_each_item_is_stored_once(phones, live_server):
    phone = phones(permissions=["camera", "microphone"])
    phone.context.grant_permissions(["camera", "microphone"], origin=live_server.url)
    amina = live_server.make_person(Role.LEARNER, "Amina")
    page = phone.page
    phone.open(amina.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")

    phone.open("/evidence")
    # The service worker loads the same queue module, for Background Sync.
    wait_until_controlled(page)
    worker = phone.context.service_workers[0]
    assert worker.evaluate("typeof self.backpackEvidenceQueue.flush") == "function"
    queue = page.locator("[data-queue]")

    # 1. Online: a 12-megapixel photo from the phone's camera app, made smaller before it leaves.
    page.get_by_label("Take a photo").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": noisy_photo(4000, 3000)}]
    )
    expect(page.get_by_text("Photo ready")).to_be_visible()
    page.get_by_label("Title").fill("My brick wall")
    with uploads_received(live_server) as received:
        page.get_by_role("button", name="Save").click()
        first = queue.locator("li", has_text="My brick wall")
        expect(first).to_contain_text("Uploaded")
    assert len(received) == 1
    photo = received[0]
    assert len(photo) <= UPLOAD_BUDGET, f"the phone sent {len(photo)} bytes"
    with Image.open(io.BytesIO(photo)) as sent_image:
        assert sent_image.format == "JPEG"
        assert max(sent_image.size) <= 1600 and sent_image.size == (1600, 1200)

    # 2. Offline: a photo from the live camera preview and a voice clip wait on the phone.
    phone.context.set_offline(True)
    wait_until_connection(page, online=False)
    page.get_by_role("button", name="Record a video").click()
    page.get_by_role("button", name="Take photo").click()
    expect(page.get_by_text("Photo ready")).to_be_visible()
    page.get_by_label("Title").fill("Tiled corner")
    page.get_by_label("What did you do, and what did you learn?").fill("I cut the tiles myself.")
    page.get_by_role("button", name="Save").click()
    second = queue.locator("li", has_text="Tiled corner")
    expect(second).to_contain_text("Waiting to upload")

    page.get_by_role("button", name="Record my voice").click()
    expect(page.locator("[data-voice-duration]")).to_have_text("0:01")
    page.get_by_role("button", name="Stop recording").click()
    expect(page.get_by_text("Sound recording ready")).to_be_visible()
    page.get_by_label("Title").fill("How I planned it")
    page.get_by_role("button", name="Save").click()
    third = queue.locator("li", has_text="How I planned it")
    expect(third).to_contain_text("Waiting to upload")
    expect(second).to_contain_text("Waiting to upload")
    assert page.evaluate(QUEUED) == 2
    assert len(stored_evidence(live_server, amina.user_id)) == 1

    # 3. Back online: both go up by themselves, and leave the phone's queue only once stored.
    phone.context.set_offline(False)
    expect(second).to_contain_text("Uploaded")
    expect(third).to_contain_text("Uploaded")
    expect(first).to_contain_text("Uploaded")
    assert page.evaluate(QUEUED) == 0  # each left the phone once the server had it

    rows = stored_evidence(live_server, amina.user_id)
    assert len(rows) == 3
    assert len({row.idempotency_key for row in rows}) == 3
    by_title = {row.title: row for row in rows}
    assert set(by_title) == {"My brick wall", "Tiled corner", "How I planned it"}
    assert by_title["My brick wall"].kind == "photo"
    assert max(by_title["My brick wall"].width, by_title["My brick wall"].height) <= 1600
    assert by_title["Tiled corner"].kind == "photo"
    assert by_title["Tiled corner"].reflection == "I cut the tiles myself."
    assert by_title["How I planned it"].kind == "audio"

    # Opening the page again sends nothing twice: the three items are listed once each.
    phone.open("/evidence")
    assert len(stored_evidence(live_server, amina.user_id)) == 3
    for title in by_title:
        expect(page.get_by_role("link", name=title)).to_have_count(1)
