"""Amina shows an employer her badge: a QR code on her phone, and a card for her paper CV.

The employer scans the code with his own phone (no account, no cookies, Spanish browser)
and sees at once that the badge is genuine, with and without JavaScript. Then the teacher
revokes the award, and the same page says so with the reason; then Amina stops sharing,
and the page shows nothing of the badge. Her printable card, printed to PDF by Chromium,
carries a QR code that decodes to the same link.
"""
import io
import re
from contextlib import contextmanager

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.issuing import status
from backpack.issuing.achievements import create_achievement
from backpack.issuing.awarding import award
from backpack.issuing.issuers import create_issuer
from backpack.models import Award, Role, User
from tests.browser.accessibility import assert_accessible
from tests.conftest import tiny_png

pytestmark = pytest.mark.browser

BADGE = "Forklift safety"
LEARNER = "Amina Diallo"
NOTE = "Drove the full course without touching a cone."
REASON = "The assessment was not completed."
# Kinds of request a page waits for before it shows; the employer's page is allowed
# at most 3 of them and 14 KB (one round trip), and no script at all.
FIRST_LOAD_TYPES = {"document", "stylesheet", "script", "font"}


def read_qr(image_bytes: bytes) -> str:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(image_bytes)))
    assert len(codes) == 1, f"expected one QR code, found {len(codes)}"
    return codes[0].text


@contextmanager
def as_the_server(server):
    """Act on the database as a request to the live server would (same public origin)."""
    with server.app.test_request_context(base_url=server.url):
        yield db.session


def give_badge(server, teacher, learner) -> str:
    """The teacher's organisation awards the badge to the learner; return the award's id."""
    with as_the_server(server) as session:
        teacher_user = session.get(User, teacher.user_id)
        issuer = create_issuer(
            "Riverside Adult School", members=[teacher_user], url="https://riverside.example"
        )
        achievement = create_achievement(
            issuer,
            by=teacher_user,
            name=BADGE,
            description="Drives a forklift safely in the warehouse.",
            criteria="A supervised practical test on the warehouse course.",
            image_png=tiny_png(),
        )
        holder = session.get(User, learner.user_id)
        outcome = award(achievement, [holder], by=teacher_user, note=NOTE)
        session.commit()
        return outcome.created[0].public_id


def revoke_award(server, teacher, public_id: str) -> None:
    with as_the_server(server) as session:
        held = session.scalar(db.select(Award).where(Award.public_id == public_id))
        status.revoke(held, REASON, by=session.get(User, teacher.user_id))
        session.commit()


def test_learner_shares_a_badge_that_an_employer_checks(phones, live_server):
    amina = live_server.make_person(Role.LEARNER, LEARNER)
    teacher = live_server.make_person(Role.TEACHER, "Ms Haddad")
    learner_phone = phones()
    page = learner_phone.page
    learner_phone.open(amina.invite_path)
    learner_phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    public_id = give_badge(live_server, teacher, amina)

    # Amina opens her badge and makes a link for one week, evidence included.
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(live_server.url + "/")
    page.locator("[data-badge-card]", has_text=BADGE).click()
    page.wait_for_url(f"{live_server.url}/my/badges/{public_id}")
    page.get_by_role("link", name="Share with an employer").click()
    page.wait_for_url(re.compile(r"/my/badges/[\w-]+/share$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Share this badge")
    page.get_by_label("1 week").check()
    page.get_by_label("Show my evidence too").check()
    page.get_by_role("button", name="Make a link and QR code").click()
    page.wait_for_url(re.compile(r"/my/shares/\d+$"))
    share_page = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)

    # The QR code holds exactly the link printed under it.
    link = page.locator("[data-share-link]")
    share_url = link.inner_text().strip()
    assert re.fullmatch(re.escape(live_server.url) + r"/s/[A-Za-z0-9_-]{22}", share_url)
    assert link.get_attribute("href") == share_url
    assert read_qr(page.locator("[data-share-qr]").screenshot()) == share_url
    assert_accessible(page, "share QR page")

    # The printable card, printed by Chromium to one A6 page; its QR code scans.
    page.get_by_role("link", name="Printable card").click()
    page.wait_for_url(re.compile(r"/my/shares/\d+/card$"))
    expect(page.locator("[data-print-card]")).to_contain_text(LEARNER)
    assert_accessible(page, "printable card")
    page.emulate_media(media="print")
    pdf = pypdfium2.PdfDocument(page.pdf(format="A6", print_background=True))
    try:
        assert len(pdf) == 1, f"the card printed on {len(pdf)} pages"
        printed = pdf[0].render(scale=300 / 72).to_pil()  # 300 dpi, as a printer would
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    buffer = io.BytesIO()
    printed.save(buffer, "PNG")
    assert read_qr(buffer.getvalue()) == share_url
    assert BADGE in text and LEARNER in text
    # The link wraps on the card; PDFium reports a hyphen ending a line as U+FFFE.
    printed_link = re.sub(r"\s", "", text.replace("\ufffe", "-"))
    assert share_url in printed_link, "the short link is not printed on the card"
    page.emulate_media(media="screen")

    # The employer scans it with his own phone: no cookies, browser in Spanish.
    employer_phone = phones(locale="es-ES")
    employer = employer_phone.page
    first_load = []  # what the page waits for before it can show: no images

    def note(request):
        if request.resource_type in FIRST_LOAD_TYPES:
            first_load.append(request)

    employer.on("request", note)
    response = employer_phone.open(share_url)
    employer.remove_listener("request", note)
    assert response.status == 200
    kinds = [request.resource_type for request in first_load]
    assert "script" not in kinds, f"the employer's page fetched a script: {kinds}"
    assert len(first_load) <= 3, f"{len(first_load)} requests before images: {kinds}"
    moved = sum(
        request.sizes()["responseHeadersSize"] + request.sizes()["responseBodySize"]
        for request in first_load
    )
    assert moved <= 14 * 1024, f"first load moved {moved} bytes before images"

    def es(message, **variables):
        return live_server.translate("es", message, **variables)

    def shows_genuine_badge(employer_page) -> None:
        expect(employer_page.locator("html")).to_have_attribute("lang", "es")
        expect(employer_page.locator('[data-verdict="valid"]')).to_be_visible()
        expect(employer_page.locator(".badge-name")).to_have_text(BADGE)
        expect(employer_page.locator("[data-subject]")).to_have_text(LEARNER)
        expect(employer_page.get_by_role("heading", name=es("What it certifies"))).to_be_visible()
        expect(employer_page.locator("[data-evidence]")).to_contain_text(NOTE)

    shows_genuine_badge(employer)
    assert_accessible(employer, "employer's page, genuine")

    # Without JavaScript the page is the same: it is all rendered on the server.
    no_js = phones(locale="es-ES", java_script_enabled=False)
    assert no_js.open(share_url).status == 200
    shows_genuine_badge(no_js.page)
    # (axe runs on the JavaScript-enabled page above, which loads no script either: axe's
    # own promises and timers never settle in a page whose scripting is switched off.)

    # The teacher revokes the award: the employer's page says so, and why.
    revoke_award(live_server, teacher, public_id)
    assert employer.reload().status == 200
    expect(employer.locator('[data-verdict="revoked"]')).to_be_visible()
    expect(employer.locator("[data-revocation-reason]")).to_have_text(REASON)
    assert_accessible(employer, "employer's page, revoked")

    # Amina stops sharing: the link is dead and shows nothing of the badge.
    page.goto(share_page)
    page.get_by_role("link", name="Your links").click()
    page.wait_for_url(re.compile(r"/my/badges/[\w-]+/share$"))
    shared = page.locator("[data-share-item]")
    expect(shared).to_have_count(1)
    expect(shared).to_contain_text("Opened 3 times")
    expect(shared).to_contain_text(re.compile(r"Works until (?!you stop it)"))  # a week
    shared.get_by_role("button", name="Stop sharing").click()
    stopped = "The link is stopped. Nobody can open it any more."
    expect(page.get_by_role("status")).to_have_text(stopped)
    expect(shared).to_contain_text("Stopped")
    expect(shared.get_by_role("button", name="Stop sharing")).to_have_count(0)

    gone = employer.reload()
    assert gone.status == 410
    html = employer.content()
    assert BADGE not in html and LEARNER not in html and "Riverside" not in html
    for machine in ("/credential.json", "/badge.png", "/badge.svg"):
        assert employer.request.get(share_url + machine).status == 410
