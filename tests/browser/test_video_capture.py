"""Amina films her work in the evidence page: two seconds from the live camera, stored once as a video.

The clip goes through the same offline queue as photos and voice clips; the server checks
what MediaRecorder wrote and keeps it with its real duration.
"""
import pytest
from playwright.sync_api import expect

from backpack.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import camera_phone, join, stored_evidence, wait_until_wired

pytestmark = pytest.mark.browser


def test_learner_records_a_video_from_the_camera_preview(phones, live_server):
    phone = camera_phone(phones, live_server)
    amina = live_server.make_person(Role.LEARNER, "Amina")
    page = phone.page
    join(phone, amina)

    phone.open("/evidence")
    wait_until_wired(page)
    # The cap the page stops at comes from the server's configuration.
    assert page.locator("form[data-capture]").get_attribute("data-video-max-seconds") == "300"
    page.get_by_role("button", name="Record a video").click()
    record = page.get_by_role("button", name="Record video")
    expect(record).to_be_visible()
    assert record.bounding_box()["height"] >= 48  # a large touch target
    record.click()
    duration = page.locator("[data-video] [data-record-duration]")
    expect(duration).to_have_text("0:02")
    page.get_by_role("button", name="Stop recording").click()
    expect(page.get_by_text("Video ready")).to_be_visible()
    assert_accessible(page, "evidence page with a recorded video")
    expect(record).to_be_visible()

    page.get_by_label("Title").fill("Laying the first row")
    page.get_by_role("button", name="Save").click()
    queued = page.locator("[data-queue] li", has_text="Laying the first row")
    expect(queued).to_contain_text("Uploaded")

    [video] = stored_evidence(live_server, amina.user_id)
    assert video.kind == "video"
    assert video.mimetype in {"video/webm", "video/mp4"}
    assert 1 <= video.duration_seconds <= 10
    assert video.title == "Laying the first row"

    phone.open("/evidence")
    link = page.get_by_role("link", name="Laying the first row")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("Video")


def test_recording_stops_by_itself_at_the_configured_cap(phones, live_server, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "EVIDENCE_MAX_SECONDS", {"video": 3, "audio": 600})
    phone = camera_phone(phones, live_server)
    join(phone, live_server.make_person(Role.LEARNER, "Bilal"))
    page = phone.page
    phone.open("/evidence")
    wait_until_wired(page)
    page.get_by_role("button", name="Record a video").click()
    page.get_by_role("button", name="Record video").click()
    # Nobody presses stop: the page stops just before the server's limit.
    expect(page.get_by_text("Video ready")).to_be_visible()
    expect(page.get_by_role("button", name="Record video")).to_be_visible()
    expect(page.get_by_role("button", name="Stop recording")).to_be_hidden()
    assert page.locator("[data-video] [data-record-duration]").inner_text() in {"0:02", "0:03"}
