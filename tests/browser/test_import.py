"""Amina brings in a badge she earned at another college: she uploads its image file on her
phone, and the page tells her at once that it is genuine, without her typing anything."""
import re

import pytest
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.awarding import award
from backpack.issuing.issuers import create_issuer
from backpack.learner import badges
from backpack.models import Role, User
from tests.browser.accessibility import assert_accessible
from tests.conftest import tiny_png

pytestmark = pytest.mark.browser

BADGE = "Forklift safety"


def badge_from_another_college(server) -> bytes:
    """Another college awards a badge; return its baked PNG, as its learner downloads it."""
    with server.app.test_request_context(base_url=server.url):
        teacher = User(display_name="Mr Haddad", role=Role.TEACHER.value)
        learner = User(display_name="Earner", role=Role.LEARNER.value)
        db.session.add_all([teacher, learner])
        db.session.flush()
        issuer = create_issuer("Harbour College", members=[teacher], url="https://harbour.example")
        achievement = create_achievement(
            issuer, by=teacher, name=BADGE, description="Drives a forklift safely.",
            criteria="A practical test.", image_png=tiny_png(),
        )
        held = award(achievement, [learner], by=teacher).created[0]
        db.session.commit()
        return badges.baked_png(held)


def test_learner_uploads_a_baked_badge_and_sees_that_it_is_genuine(phones, live_server, tmp_path):
    amina = live_server.make_person(Role.LEARNER, "Amina Diallo")
    badge_file = tmp_path / "forklift.png"
    badge_file.write_bytes(badge_from_another_college(live_server))
    phone = phones()
    page = phone.page
    phone.open(amina.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")

    phone.open("/")
    page.get_by_role("link", name="Add a badge from elsewhere").click()
    page.wait_for_url(live_server.url + "/my/imported/new")
    assert_accessible(page, "import page")
    page.get_by_label("A badge file (PNG, SVG or JSON)").set_input_files(str(badge_file))
    page.get_by_role("button", name="Add the badge").click()
    page.wait_for_url(re.compile(r"/my/imported/[\w-]+$"))

    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("[data-verdict]")).to_contain_text("Genuine badge")
    expect(page.get_by_text("Imported from elsewhere")).to_be_visible()
    assert_accessible(page, "imported badge page")

    page.locator("#main").get_by_role("link", name="My badges").click()
    expect(page.locator("[data-imported-card]", has_text=BADGE)).to_be_visible()
    live_server.check_no_errors()
