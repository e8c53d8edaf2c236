"""Ms Haddad designs a badge on her phone, one short step at a time, watching it take shape.

The form comes in five steps with Back and Next. On the Picture step the icons are pictures
with their words; as she picks another icon, colour or label, the preview shows the server's
own drawing of her choices, and the badge she creates carries exactly the picture she saw.
Without script, the same form shows every step at once and still works.
"""
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.issuing.badge_image import design_badge
from backpack.issuing.issuers import create_issuer
from backpack.models import Achievement, Role, User
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import join, wait_until_wired

pytestmark = pytest.mark.browser

BADGE = "Reading A2"



def drawn_after(page, action, icon: str, colour: str, label: str = "") -> bytes:
    """Do something on the page; return the picture the preview then asked the server for, once shown."""
    query = "/badges/design/preview.png?" + urlencode({"icon": icon, "colour": colour, "label": label})
    with page.expect_response(lambda r: r.url.endswith(query) and r.request.resource_type == "fetch") as answer:
        action()
    wait_for_preview(page, icon, colour, label)
    expect(page.locator("[data-badge-preview-image]")).to_have_js_property("naturalWidth", 512)
    # The page's copy may come from its HTTP cache, whose body Playwright does not keep: ask again.
    again = page.request.get(answer.value.url)
    assert again.status == 200 and again.headers["content-type"] == "image/png"
    return again.body()


def wait_for_preview(page, icon: str, colour: str, label: str = "") -> None:
    """Wait until the preview shows these choices, drawn by the server."""
    expect(page.locator("[data-badge-preview]")).to_have_attribute("data-preview-for", f"{icon}/{colour}/{label}")
    expect(page.locator("[data-badge-preview]")).to_have_attribute("data-preview-state", "ready")


def teacher_with_school(live_server, name="Ms Haddad"):
    haddad = live_server.make_person(Role.TEACHER, name)
    with live_server.database() as session:
        create_issuer("Riverside Language School", members=[session.get(User, haddad.user_id)])
        session.commit()
    return haddad


def step_heading(page, number: int, title: str):
    return page.get_by_role("heading", name=f"Step {number} of 5 {title}")


def test_teacher_steps_through_the_designer_and_sees_the_preview_change(phones, live_server):
    haddad = teacher_with_school(live_server)
    phone = phones()
    page = phone.page
    join(phone, haddad)
    first = drawn_after(page, lambda: phone.open("/badges/new"), "star", "blue")
    wait_until_wired(page)

    # Step 1 of 5 alone on her small screen.
    expect(step_heading(page, 1, "Words")).to_be_visible()
    expect(step_heading(page, 2, "Picture")).to_be_hidden()
    expect(page.get_by_role("button", name="Create badge")).to_be_hidden()
    assert_accessible(page, "badge form, step 1")
    page.get_by_label("Badge name").fill(BADGE)
    page.get_by_label("What it certifies").first.fill("Reads short notices and forms.")
    # Enter in a one-line box goes on to the next step; it does not send a half-filled form.
    page.get_by_label("Badge name").press("Enter")
    expect(step_heading(page, 2, "Picture")).to_be_focused()
    page.get_by_role("button", name="Back").click()
    expect(step_heading(page, 1, "Words")).to_be_focused()
    page.get_by_label("How to earn it").first.fill("Read three notices aloud and explain them.")
    page.get_by_role("button", name="Next").click()

    # Step 2: the picture. Icons are pictures with their words; the preview is the server's drawing.
    expect(step_heading(page, 2, "Picture")).to_be_focused()
    star = page.locator("label.icon-choice", has_text="Star")
    expect(star.locator("svg")).to_be_visible()
    expect(page.get_by_role("radio", name="Star")).to_be_checked()
    assert first == design_badge("star", "blue", "")
    before = page.locator("[data-badge-preview-image]").screenshot()
    assert_accessible(page, "badge form, step 2 (picture)")

    book = drawn_after(page, page.locator("label.icon-choice", has_text="Book").click, "book", "blue")
    assert book == design_badge("book", "blue", "")
    assert page.locator("[data-badge-preview-image]").screenshot() != before, "the preview did not change"

    green = drawn_after(page, page.locator("label.chip", has_text="Green").click, "book", "green")
    assert green == design_badge("book", "green", "")

    # The keyboard moves between icons as between any radio buttons, and the preview follows.
    page.get_by_role("radio", name="Book").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Speech bubble")).to_be_checked()
    wait_for_preview(page, "chat", "green")
    page.keyboard.press("ArrowLeft")
    wait_for_preview(page, "book", "green")

    # A label the badge cannot carry is explained; fixing it draws the badge again.
    label = page.get_by_label("Short label on the badge")
    label.fill("Reading \U0001F4DA")
    expect(page.get_by_role("alert")).to_have_text(
        "The label has letters the badge designer cannot draw yet. Please change it."
    )
    chosen = drawn_after(page, lambda: label.fill("Reading A2"), "book", "green", "Reading A2")
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(page.locator("[data-badge-preview-image]")).to_have_attribute(
        "alt", "Preview of the badge: Book, Green, Reading A2"
    )
    assert chosen == design_badge("book", "green", "Reading A2")

    # Steps 3 and 4 (skills, languages), then the check.
    page.get_by_role("button", name="Next").click()
    expect(step_heading(page, 3, "Skills and expiry")).to_be_focused()
    page.get_by_role("button", name="Next").click()
    expect(step_heading(page, 4, "Languages")).to_be_focused()
    page.get_by_role("button", name="Next").click()
    expect(step_heading(page, 5, "Check")).to_be_focused()
    check = page.locator("[data-badge-check]")
    expect(check).to_contain_text(BADGE)
    expect(check).to_contain_text("Read three notices aloud and explain them.")
    expect(check.get_by_role("img")).to_have_attribute("alt", "Preview of the badge: Book, Green, Reading A2")
    assert_accessible(page, "badge form, step 5 (check)")
    page.get_by_role("button", name="Create badge").click()

    page.wait_for_url(re.compile(r"/badges/\d+$"))
    expect(page.get_by_role("status")).to_have_text("Badge created. You can award it now.")
    with live_server.database() as session:
        stored = session.scalar(db.select(Achievement.image_png).where(Achievement.name == BADGE))
    assert stored == chosen, "the badge's picture is not the one the preview showed"


def test_a_refused_form_opens_at_the_step_to_fix(phones, live_server):
    haddad = teacher_with_school(live_server, "Mr Osei")
    phone = phones()
    page = phone.page
    join(phone, haddad)
    phone.open("/badges/new")
    wait_until_wired(page)
    page.get_by_label("Badge name").fill("Listening B1")
    for _step in range(4):
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Create badge").click()

    # "What it certifies" was left empty: the form comes back at step 1, at that box.
    wait_until_wired(page)
    expect(step_heading(page, 1, "Words")).to_be_visible()
    expect(page.get_by_label("What it certifies").first).to_be_focused()
    expect(page.get_by_label("Badge name")).to_have_value("Listening B1")


def test_without_script_every_step_shows_and_the_badge_is_made(phones, live_server):
    haddad = teacher_with_school(live_server, "Ms Novak")
    phone = phones()
    join(phone, haddad)
    plain = phones(java_script_enabled=False)
    plain.context.add_cookies(phone.context.cookies(live_server.url))
    page = plain.page
    plain.open("/badges/new")
    for number, title in enumerate(("Words", "Picture", "Skills and expiry", "Languages", "Check"), start=1):
        expect(step_heading(page, number, title)).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_have_count(0)  # only script shows Back and Next
    expect(page.locator("label.icon-choice", has_text="Trophy").locator("svg")).to_be_visible()
    page.get_by_label("Badge name").fill("Writing A1")
    page.get_by_label("What it certifies").first.fill("Writes a short message.")
    page.get_by_label("How to earn it").first.fill("Write a message to a friend.")
    page.locator("label.icon-choice", has_text="Trophy").click()
    page.get_by_role("button", name="Create badge").click()
    page.wait_for_url(re.compile(r"/badges/\d+$"))
    with live_server.database() as session:
        stored = session.scalar(db.select(Achievement.image_png).where(Achievement.name == "Writing A1"))
    assert stored == design_badge("trophy", "blue", "")
