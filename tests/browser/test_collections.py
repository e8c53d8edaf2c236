"""Amina gathers a badge and a photo into "For my job interview" and shares only the badge.

On her phone she makes the collection, adds the badge and the photo, moves the photo above
the badge, marks the badge shareable (the photo stays private) and makes a link. The
employer opens it on his own phone, with no session: he sees the badge, genuine, and
nothing of the photo. Every page passes axe.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect

from backpack.evidence import capture
from backpack.models import Role, User
from tests.browser.accessibility import assert_accessible
from tests.browser.test_sharing import as_the_server, give_badge
from tests.evidence import samples

pytestmark = pytest.mark.browser

BADGE = "Forklift safety"  # the badge give_badge awards
PHOTO = "Pallet stacked safely"
COLLECTION = "For my job interview"


def capture_photo(server, learner) -> None:
    """A photo Amina took earlier, already uploaded from her phone."""
    with as_the_server(server) as session:
        capture.save_evidence(
            session.get(User, learner.user_id), samples.jpeg(), idempotency_key=str(uuid.uuid4()), title=PHOTO
        )
        session.commit()


def test_learner_shares_a_collection_with_only_the_badge(phones, live_server):
    amina = live_server.make_person(Role.LEARNER, "Amina Diallo")
    teacher = live_server.make_person(Role.TEACHER, "Ms Haddad")
    learner_phone = phones()
    page = learner_phone.page
    learner_phone.open(amina.invite_path)
    learner_phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    give_badge(live_server, teacher, amina)
    capture_photo(live_server, amina)

    # From her backpack to her collections, none yet; she makes one.
    learner_phone.open("/")
    page.get_by_role("link", name="My collections").first.click()
    page.wait_for_url(re.compile(r"/my/collections$"))
    expect(page.get_by_text("You have no collections yet.")).to_be_visible()
    assert_accessible(page, "my collections, empty")
    page.get_by_label("Name").fill(COLLECTION)
    page.get_by_role("button", name="Make the collection").click()
    page.wait_for_url(re.compile(r"/my/collections/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(COLLECTION)

    # She adds the badge, then the photo.
    page.get_by_label("Badge", exact=True).select_option(label=BADGE)
    page.get_by_role("button", name="Add the badge").click()
    page.get_by_label("Evidence", exact=True).select_option(label=PHOTO)
    page.get_by_role("button", name="Add the evidence").click()
    items = page.locator("[data-collection-item]")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(BADGE)
    expect(items.nth(1)).to_contain_text(PHOTO)

    # The photo goes first.
    items.nth(1).get_by_role("button", name=re.compile(r"^Up\b")).click()
    expect(items.nth(0)).to_contain_text(PHOTO)
    expect(items.nth(1)).to_contain_text(BADGE)

    # The badge becomes shareable; the photo stays private, said in words.
    badge_item = items.filter(has_text=BADGE)
    badge_item.get_by_role("button", name=re.compile(r"^Make shareable")).click()
    expect(badge_item.locator("[data-privacy]")).to_have_text("Shareable")
    expect(items.filter(has_text=PHOTO).locator("[data-privacy]")).to_have_text("Private")
    assert_accessible(page, "collection page")

    # She shares the collection for a week.
    page.get_by_role("link", name="Share", exact=True).click()
    page.wait_for_url(re.compile(r"/my/collections/[\w-]+/share$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Share this collection")
    page.get_by_label("1 week").check()
    page.get_by_role("button", name="Make a link and QR code").click()
    page.wait_for_url(re.compile(r"/my/shares/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(COLLECTION)
    share_url = page.locator("[data-share-link]").inner_text().strip()
    assert re.fullmatch(re.escape(live_server.url) + r"/s/[A-Za-z0-9_-]{22}", share_url)

    # The employer opens it on his own phone: no account, no session.
    employer_phone = phones()
    employer = employer_phone.page
    assert employer_phone.open(share_url).status == 200
    expect(employer.locator("[data-collection-name]")).to_have_text(COLLECTION)
    expect(employer.locator("[data-subject]")).to_have_text("Amina Diallo")
    shown = employer.locator("[data-shared-item]")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text(BADGE)
    expect(employer.locator('[data-verdict="valid"]')).to_be_visible()
    assert PHOTO not in employer.content()
    assert_accessible(employer, "employer's page of a collection")
