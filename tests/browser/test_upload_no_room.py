"""Lena saves a photo while the server has no room to keep it.

Her phone says so in plain words and keeps the photo in its queue; when she opens the page
again later, with room on the server, it is sent by itself and stored once.
"""
import errno

import pytest
from playwright.sync_api import expect

from backpack.models import Role
from backpack.storage import MediaStoreUnavailable
from tests.browser.steps import QUEUED, camera_phone, join, open_evidence_page, queued_item, stored_evidence, take_camera_photo

pytestmark = pytest.mark.browser

NO_ROOM = "There is no space to keep this right now. It stays on your phone and will be sent later."


def test_a_photo_the_server_has_no_room_for_stays_on_the_phone_and_is_sent_later(phones, live_server, monkeypatch):
    phone = camera_phone(phones, live_server)
    lena = live_server.make_person(Role.LEARNER, "Lena")
    join(phone, lena)
    open_evidence_page(phone)
    page = phone.page

    store = live_server.app.extensions["media_store"]
    refused = []

    def disk_full(source, key):
        refused.append(key)
        raise MediaStoreUnavailable(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as full:
        full.setattr(store, "put", disk_full)
        take_camera_photo(page, "Kitchen shelf", "I fixed it to the wall.")
        row = queued_item(page, "Kitchen shelf")
        expect(row).to_contain_text(NO_ROOM)
    assert refused, "the phone never tried to send the photo"
    assert page.evaluate(QUEUED) == 1
    assert stored_evidence(live_server, lena.user_id) == []

    # Later, with room on the server again: opening the page sends what waited, once.
    open_evidence_page(phone)
    expect(queued_item(page, "Kitchen shelf")).to_contain_text("Uploaded")
    assert page.evaluate(QUEUED) == 0
    rows = stored_evidence(live_server, lena.user_id)
    assert [(row.title, row.reflection, row.kind) for row in rows] == [("Kitchen shelf", "I fixed it to the wall.", "photo")]
