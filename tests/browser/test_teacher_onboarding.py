"""Mr Okafor, a teacher, joins from his invite, starts a class and invites a learner.

He shows the learner's QR code; the code holds exactly the link printed under it, and
Yusuf opens that link on his own phone to join (in Spanish). Then the teacher signs out,
signs in again and adds a security key as a second passkey.
"""
import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from backpack.models import Role
from tests.browser.accessibility import assert_accessible

pytestmark = pytest.mark.browser


def read_qr(locator) -> str:
    """Photograph the QR code as it is drawn on the screen and decode it."""
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(locator.screenshot())))
    assert len(codes) == 1, f"expected one QR code on screen, found {len(codes)}"
    return codes[0].text


def test_teacher_joins_creates_a_class_and_enrols_a_learner(phones, live_server):
    teacher_phone = phones()
    page = teacher_phone.page
    okafor = live_server.make_person(Role.TEACHER, "Mr Okafor")

    teacher_phone.open(okafor.invite_path)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    teacher_phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are in, Mr Okafor!")

    # A teacher's start page is the list of classes.
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(re.compile(r"/classes$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Classes")
    expect(page.get_by_text("No classes yet.")).to_be_visible()
    assert_accessible(page, "classes, empty")

    page.get_by_label("Class name").fill("Evening English B1")
    page.get_by_role("button", name="Create class").click()
    page.wait_for_url(re.compile(r"/classes/\d+$"))
    classroom_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening English B1")

    # Only the learner's name is needed; the invite card with its QR code comes next.
    page.get_by_label("Name", exact=True).fill("Yusuf Haddad")
    page.get_by_role("button", name="Add learner").click()
    page.wait_for_url(re.compile(r"/learners/\d+/invite$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite for Yusuf Haddad")
    link = page.locator("[data-invite-link]")
    invite_url = link.inner_text().strip()
    assert re.fullmatch(re.escape(live_server.url) + r"/invite/[A-Za-z0-9_-]{43}", invite_url)
    assert link.get_attribute("href") == invite_url
    assert read_qr(page.locator("[data-invite-qr]")) == invite_url
    assert_accessible(page, "invite card")

    # Yusuf scans the code with his own phone and joins in Spanish.
    learner_phone = phones()
    learner = learner_phone.page
    assert learner_phone.open(invite_url).status == 200
    expect(learner.get_by_role("heading", level=1)).to_have_text("Welcome, Yusuf Haddad")
    learner.get_by_role("button", name="Español").click()
    expect(learner.locator("html")).to_have_attribute("lang", "es")

    def es(message, **variables):
        return live_server.translate("es", message, **variables)

    learner_phone.press_passkey_button(es("Create my passkey"), lands_on=r"/account/welcome$")
    learner.get_by_role("link", name=es("Continue")).click()
    learner.wait_for_url(live_server.url + "/")
    expect(learner.get_by_role("heading", level=1)).to_have_text(es("My badges"))
    # The link worked once; it cannot be used again.
    assert learner_phone.open(invite_url).status == 410

    # The teacher sees that Yusuf has signed up.
    page.goto(classroom_url)
    expect(page.get_by_role("link", name=re.compile("Yusuf Haddad"))).to_contain_text("Signed up")

    # Sign out, sign in again with the passkey, and add a security key as a second one.
    page.get_by_role("link", name="Account").click()
    page.wait_for_url(live_server.url + "/account/")
    page.get_by_role("button", name="Sign out on this device").click()
    page.wait_for_url(re.compile(r"/signin$"))
    teacher_phone.press_passkey_button("Sign in with a passkey", lands_on=r"/classes$")
    expect(page.get_by_role("link", name=re.compile("Evening English B1"))).to_contain_text(
        "1 learner"
    )

    page.get_by_role("link", name="Account").click()
    page.wait_for_url(live_server.url + "/account/")
    security_key = teacher_phone.add_authenticator(transport="usb")
    teacher_phone.press_passkey_button(
        "Add a passkey on this device", lands_on=r"/account/\?added=\d+$"
    )
    expect(page.locator("[data-passkey-item]")).to_have_count(2)
    assert len(teacher_phone.credentials(security_key)) == 1
    assert okafor.passkey_count() == 2
