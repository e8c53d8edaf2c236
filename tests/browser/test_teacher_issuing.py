"""Ms Haddad, a teacher, designs a badge on her phone and gives it to her class.

She creates her organisation and a badge drawn by the on-phone designer, awards it to two
learners (her thumb taps the button twice; nobody gets it twice), shows a claim code that
the third learner scans with his own phone, and later revokes one award. Each learner
sees on their own phone what the teacher did.
"""
import io
import re
from contextlib import contextmanager

import pytest
import zxingcpp
from flask import request, request_started
from PIL import Image
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.issuing.badge_image import design_badge
from backpack.models import Achievement, Award, Role
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import join, start_class

pytestmark = pytest.mark.browser

BADGE = "Speaking B1"
REASON = "Awarded to the wrong learner by mistake."


def read_qr(locator) -> str:
    """Photograph the QR code as it is drawn on the screen and decode it."""
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(locator.screenshot())))
    assert len(codes) == 1, f"expected one QR code on screen, found {len(codes)}"
    return codes[0].text


def _badge_id(badge_url: str) -> int:
    """The badge of this page: other tests on the shared server may have made one of the same name."""
    return int(badge_url.rsplit("/", 1)[-1])


def awards_held(server, badge_url: str) -> dict[int, int]:
    """Return how many awards of the badge each learner has, revoked ones included."""
    with server.database() as session:
        rows = session.execute(
            db.select(Award.learner_id, db.func.count(Award.id))
            .where(Award.achievement_id == _badge_id(badge_url))
            .group_by(Award.learner_id)
        ).all()
        return dict(rows)


def stored_image(server, badge_url: str) -> bytes:
    with server.database() as session:
        return session.get(Achievement, _badge_id(badge_url)).image_png


@contextmanager
def award_requests(server):
    """Collect the award forms the server receives meanwhile."""
    received = []

    def note(sender, **extra):
        if request.method == "POST" and request.path.endswith("/awards"):
            received.append(request.path)

    request_started.connect(note, server.app)
    try:
        yield received
    finally:
        request_started.disconnect(note, server.app)


def test_teacher_designs_awards_shares_and_revokes_a_badge(phones, live_server):
    haddad = live_server.make_person(Role.TEACHER, "Ms Haddad")
    amina, bilal, chen = (
        live_server.make_person(Role.LEARNER, name)
        for name in ("Amina Diallo", "Bilal Khan", "Chen Wei")
    )
    start_class(live_server, haddad, [amina, bilal, chen])

    # Each learner has joined on their own phone, with their own passkey.
    learner_phones = {}
    for learner in (amina, bilal, chen):
        learner_phones[learner.name] = phones()
        join(learner_phones[learner.name], learner)

    teacher_phone = phones()
    page = teacher_phone.page
    join(teacher_phone, haddad)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(re.compile(r"/classes$"))

    # Badges: first, who issues them.
    page.get_by_role("navigation").get_by_role("link", name="Badges").click()
    page.wait_for_url(re.compile(r"/badges$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Badges")
    assert_accessible(page, "badges, no organisation yet")
    page.get_by_role("link", name="Create your organisation").click()
    page.wait_for_url(re.compile(r"/issuers/new$"))
    page.get_by_label("Organisation name").fill("Riverside Language School")
    page.get_by_role("button", name="Save").click()

    # The badge form follows; she draws the badge right there on her phone.
    page.wait_for_url(re.compile(r"/badges/new$"))
    expect(page.get_by_role("status")).to_have_text(
        "Organisation created. Now create your first badge."
    )
    assert_accessible(page, "new badge form")
    # (The optional Spanish and Arabic translations, folded away, repeat these labels.)
    page.get_by_label("Badge name").fill(BADGE)
    page.get_by_label("What it certifies").first.fill("Talks about everyday topics.")
    page.get_by_label("How to earn it").first.fill("A five-minute conversation with the teacher.")
    page.get_by_role("button", name="Next").click()  # the form comes in short steps (test_badge_designer)
    expect(page.get_by_label("Design it here")).to_be_checked()
    page.locator("label.icon-choice", has_text="Speech bubble").click()
    page.locator("label.chip", has_text="Purple").click()
    expect(page.get_by_role("radio", name="Speech bubble")).to_be_checked()
    expect(page.get_by_role("radio", name="Purple")).to_be_checked()
    page.get_by_label("Short label on the badge").fill("B1 Speaking")
    for _step in range(3):
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Create badge").click()

    page.wait_for_url(re.compile(r"/badges/\d+$"))
    badge_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    expect(page.get_by_role("status")).to_have_text("Badge created. You can award it now.")
    image = page.locator(".badge-detail img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 512, "the designed badge image did not load"
    assert stored_image(live_server, badge_url) == design_badge("chat", "purple", "B1 Speaking")
    assert_accessible(page, "badge page")

    # She ticks two learners and taps "Award badge" twice in a hurry: one award each.
    page.get_by_role("checkbox", name="Amina Diallo").check()
    page.get_by_role("checkbox", name="Bilal Khan").check()
    with award_requests(live_server) as received:
        page.get_by_role("button", name="Award badge").dblclick()
        expect(page.get_by_role("status")).to_have_text("Badge awarded to 2 learners.")
    awarded = page.locator("[data-award-item]")
    expect(awarded).to_have_count(2)
    assert awards_held(live_server, badge_url) == {amina.user_id: 1, bilal.user_id: 1}
    assert len(received) == 1, "the server received the award form twice"

    # A claim code for the rest of the class: a QR code and a short code to type.
    page.get_by_role("button", name="Show claim code").click()
    page.wait_for_url(re.compile(r"/claim-codes/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    code = re.sub(r"\s", "", page.locator("[data-claim-code]").inner_text())
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    claim_url = read_qr(page.locator("[data-claim-qr]"))
    assert claim_url == f"{live_server.url}/claim/{code}"
    assert_accessible(page, "claim code")

    # Chen scans it; the link alone awards nothing until he confirms.
    chen_page = learner_phones[chen.name].page
    learner_phones[chen.name].open(claim_url)
    expect(chen_page.get_by_label("Code from your teacher")).to_have_value(code)
    assert chen.user_id not in awards_held(live_server, badge_url)
    chen_page.get_by_role("button", name="Get my badge").click()
    chen_page.wait_for_url(re.compile(r"/my/badges/[\w-]+$"))
    expect(chen_page.get_by_role("heading", level=1)).to_have_text(BADGE)
    expect(chen_page.locator('[data-verification="valid"]')).to_be_visible()
    assert_accessible(chen_page, "learner badge page")

    # Amina finds it among her badges.
    amina_phone = learner_phones[amina.name]
    amina_page = amina_phone.page
    amina_page.get_by_role("link", name="Continue").click()
    amina_page.wait_for_url(live_server.url + "/")
    expect(amina_page.get_by_role("heading", level=1)).to_have_text("My badges")
    card = amina_page.locator("[data-badge-card]", has_text=BADGE)
    expect(card).to_contain_text("Riverside Language School")
    expect(card).to_contain_text("Valid")

    # The teacher revokes Amina's award: it was meant for someone else.
    page.goto(badge_url)
    expect(awarded).to_have_count(3)
    awarded.filter(has_text="Amina Diallo").get_by_role("link", name="Revoke").click()
    page.wait_for_url(re.compile(r"/awards/\d+/revoke$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revoke {BADGE} from Amina Diallo?")
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_url(badge_url)
    expect(awarded.filter(has_text="Amina Diallo")).to_contain_text(f"Revoked: {REASON}")
    revoke_amina = awarded.filter(has_text="Amina Diallo").get_by_role("link", name="Revoke")
    expect(revoke_amina).to_have_count(0)
    expect(awarded.filter(has_text="Bilal Khan").get_by_role("link", name="Revoke")).to_be_visible()

    # On Amina's phone the badge now says it was revoked, and why.
    card.click()
    amina_page.wait_for_url(re.compile(r"/my/badges/[\w-]+$"))
    expect(amina_page.locator('[data-verification="revoked"]')).to_be_visible()
    expect(amina_page.get_by_text(REASON)).to_be_visible()
    assert_accessible(amina_page, "learner badge page, revoked")
    assert awards_held(live_server, badge_url) == {amina.user_id: 1, bilal.user_id: 1, chen.user_id: 1}

    # Back on her list of badges, the new one is there with its image.
    page.get_by_role("navigation").get_by_role("link", name="Badges").click()
    page.wait_for_url(re.compile(r"/badges$"))
    expect(page.get_by_role("link", name=re.compile(BADGE))).to_contain_text("Riverside")
    assert_accessible(page, "badges, with one badge")
