"""Ms Haddad awards a badge from a review, and the page asks her once who gets what.

On her phone the "Award badge" button opens the question in the page, naming the learner
and the badge; "Not yet" or Escape closes it and nothing happens. Confirming awards the
badge once. Without script, the same button is a link to a page that asks the same question.
Her passkey on this phone is named after it, and marked as this phone.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect

from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.badge_image import design_badge
from backpack.issuing.issuers import create_issuer
from backpack.models import Award, Role, User
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import join, start_class, wait_until_wired
from tests.evidence import samples

pytestmark = pytest.mark.browser

BADGE = "Speaking B1"


def send_for_review(server, teacher, learners) -> dict[str, str]:
    """Each learner has sent a photo for the teacher's badge; return their submissions' ids by name."""
    sent = {}
    with server.database() as session:
        issuer = create_issuer("Riverside Language School", members=[session.get(User, teacher.user_id)])
        badge = create_achievement(
            issuer, by=session.get(User, teacher.user_id), name=BADGE, description="Talks about everyday topics.",
            criteria="A five-minute conversation.", image_png=design_badge("chat", "purple", "B1"),
        )
        for learner in learners:
            person = session.get(User, learner.user_id)
            item, _created = capture.save_evidence(person, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="Talking")
            sent[learner.name] = submissions.save(
                person, badge, evidence_ids=[item.public_id], reflection="I talked", send=True
            ).public_id
        session.commit()
    return sent


def awards_of(server, learner) -> int:
    with server.database() as session:
        return session.scalar(db.select(db.func.count(Award.id)).where(Award.learner_id == learner.user_id))


def test_awarding_from_a_review_asks_once(phones, live_server):
    haddad = live_server.make_person(Role.TEACHER, "Ms Haddad")
    amina = live_server.make_person(Role.LEARNER, "Amina Diallo")
    bilal = live_server.make_person(Role.LEARNER, "Bilal Khan")
    start_class(live_server, haddad, [amina, bilal])
    sent = send_for_review(live_server, haddad, [amina, bilal])

    phone = phones()
    page = phone.page
    join(phone, haddad)

    # Her passkey is named after this phone and its browser, and marked as this phone.
    phone.open("/account/")
    mine = page.locator("[data-passkey-item]")
    expect(mine).to_have_count(1)
    expect(mine.locator("[data-passkey-name]")).to_have_text(re.compile(r"^Android( [\w ]+)? · Chrome$"))
    expect(mine.locator("[data-this-passkey]")).to_have_text("This phone")
    expect(mine).to_contain_text(re.compile(r"Added \w+ \d+, \d{4} at \d+:\d\d"))

    phone.open(f"/review/{sent['Amina Diallo']}")
    wait_until_wired(page)
    award = page.get_by_role("button", name="Award badge")
    question = page.get_by_role("heading", name=f"Award “{BADGE}” to Amina Diallo?")
    expect(award).to_have_attribute("aria-expanded", "false")
    expect(question).to_be_hidden()

    # The question opens in the page, where her screen reader is taken to it.
    award.click()
    expect(question).to_be_focused()
    expect(award).to_have_attribute("aria-expanded", "true")
    assert_accessible(page, "review, asking before the award")
    page.get_by_role("button", name="Not yet").click()
    expect(question).to_be_hidden()
    expect(award).to_be_focused()

    # From the keyboard: Enter opens it, Escape closes it.
    page.keyboard.press("Enter")
    expect(question).to_be_focused()
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    expect(award).to_be_focused()
    assert awards_of(live_server, amina) == 0, "asking must not award"

    award.click()
    page.get_by_role("button", name="Yes, award the badge").click()
    page.wait_for_url(re.compile(r"/review$"))
    expect(page.get_by_role("status")).to_have_text("Badge awarded to Amina Diallo.")
    assert awards_of(live_server, amina) == 1

    # Without script the button is a link to a page that asks the same question.
    phone.open(f"/review/{sent['Bilal Khan']}/award")
    assert_accessible(page, "award confirmation page")  # axe needs script: checked on her phone
    plain = phones(java_script_enabled=False)
    plain.context.add_cookies(phone.context.cookies(live_server.url))
    plain_page = plain.page
    review_url = f"/review/{sent['Bilal Khan']}"
    plain.open(review_url)
    plain_page.get_by_role("link", name="Award badge").click()
    plain_page.wait_for_url(re.compile(rf"{review_url}/award$"))
    expect(plain_page.get_by_role("heading", name=f"Award “{BADGE}” to Bilal Khan?")).to_be_visible()
    plain_page.get_by_role("link", name="Not yet").click()
    plain_page.wait_for_url(re.compile(rf"{review_url}$"))
    assert awards_of(live_server, bilal) == 0
    plain_page.get_by_role("link", name="Award badge").click()
    plain_page.get_by_role("button", name="Yes, award the badge").click()
    plain_page.wait_for_url(re.compile(r"/review$"))
    expect(plain_page.get_by_role("status")).to_have_text("Badge awarded to Bilal Khan.")
    assert awards_of(live_server, bilal) == 1
