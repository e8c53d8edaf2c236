"""Ms Rivera translates a badge for Lan, who reads Vietnamese, on a small phone.

Lan already holds the badge, written in English. The teacher opens the badge's translations
on a 360 px phone: the form names Vietnamese as a language her learners read with no translation
yet, with its block open and its boxes marked as Vietnamese. She types the Vietnamese words and
saves. On her own phone, Lan reads the badge in Vietnamese and opens the English original with a tap.
"""
import re

import pytest
from playwright.sync_api import expect

from backpack.issuing import achievements, awarding, issuers
from backpack.models import Achievement, Role, User
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import join, start_class
from tests.conftest import tiny_png

pytestmark = pytest.mark.browser

SMALL_PHONE = {"viewport": {"width": 360, "height": 740}}
ORIGINAL = {
    "name": "Everyday conversation",
    # An unbroken address: long words must wrap on a 360 px screen, not widen the page.
    "description": "Talks about daily life. Guide: https://riverside.example/esl/level-2/speaking/everyday-conversation-guide",
    "criteria": "Hold a five-minute conversation about your week with your teacher.",
}
VIETNAMESE = {
    "Name": "Giao tiếp hằng ngày",
    "Description": "Nói về cuộc sống hằng ngày bằng tiếng Anh đơn giản.",
    "How to earn it": "Nói chuyện năm phút với giáo viên về tuần của bạn.",
}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def a_badge_lan_holds(server, teacher, lan) -> int:
    """Set the scene: Lan reads Vietnamese and holds the teacher's English badge."""
    with server.database() as session:
        rivera = session.get(User, teacher.user_id)
        learner = session.get(User, lan.user_id)
        learner.preferred_language = "vi"
        issuer = issuers.create_issuer("Riverside Adult School", members=[rivera], url="https://riverside.example")
        badge = achievements.create_achievement(issuer, by=rivera, image_png=tiny_png(), language="en", **ORIGINAL)
        session.flush()
        awarding.award(badge, [learner], by=rivera)
        session.commit()
        return badge.id


def test_teacher_adds_vietnamese_and_the_learner_reads_it(phones, live_server):
    rivera = live_server.make_person(Role.TEACHER, "Ms Rivera")
    lan = live_server.make_person(Role.LEARNER, "Nguyễn Thị Lan")
    start_class(live_server, rivera, [lan])
    badge_id = a_badge_lan_holds(live_server, rivera, lan)

    # The teacher, on a small phone, opens the badge and its translations.
    teacher_phone = phones(**SMALL_PHONE)
    page = teacher_phone.page
    join(teacher_phone, rivera)
    teacher_phone.open(f"/badges/{badge_id}")
    page.get_by_role("link", name="Translations").click()
    page.wait_for_url(re.compile(rf"/badges/{badge_id}/translations$"))

    prompt = page.locator("[data-translation-prompt]")
    expect(prompt).to_contain_text("Tiếng Việt")
    expect(prompt.locator("bdi")).to_have_attribute("lang", "vi")
    vietnamese = page.locator('details[data-translation="vi"]')
    expect(vietnamese).to_have_attribute("open", "")
    expect(page.locator("details.translation").first).to_have_attribute("data-translation", "vi")
    expect(page.locator('details[data-translation="ar"]')).not_to_have_attribute("open", "")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the translations form is wider than a 360 px phone"
    assert_accessible(page, "badge translations form")

    for label, words in VIETNAMESE.items():
        box = vietnamese.get_by_label(label, exact=True)
        expect(box).to_have_attribute("lang", "vi")
        expect(box).to_have_attribute("dir", "ltr")
        box.fill(words)
    page.get_by_role("button", name="Save translations").click()
    page.wait_for_url(re.compile(rf"/badges/{badge_id}$"))
    expect(page.get_by_role("status")).to_have_text("Translations saved. Learners see them at once.")

    # Lan, on her own small phone, reads the badge in Vietnamese.
    learner_phone = phones(**SMALL_PHONE)
    mine = learner_phone.page
    join(learner_phone, lan)
    learner_phone.open("/")
    card = mine.locator("[data-badge-card]")
    expect(card.locator("strong.badge-text")).to_have_text(VIETNAMESE["Name"])
    expect(card.locator("strong.badge-text")).to_have_attribute("lang", "vi")
    card.click()
    mine.wait_for_url(re.compile(r"/my/badges/"))
    heading = mine.get_by_role("heading", level=1)
    expect(heading).to_have_text(VIETNAMESE["Name"])
    expect(heading).to_have_attribute("lang", "vi")
    expect(mine.locator("[data-not-translated]")).to_have_count(0)

    # The English original is one tap away, marked as English.
    original = mine.locator("details[data-original]")
    original_name = original.locator("[data-original-name]")
    expect(original_name).to_be_hidden()
    original.locator("summary").click()
    expect(original_name).to_be_visible()
    expect(original_name).to_have_text(ORIGINAL["name"])
    expect(original_name).to_have_attribute("lang", "en")
    expect(original.locator("[data-original-description]")).to_have_text(ORIGINAL["description"])
    assert mine.evaluate(NO_SIDEWAYS_SCROLL), "a long word in the badge widens the page past 360 px"
    assert_accessible(mine, "learner badge page with the original open")

    with live_server.database() as session:
        saved = session.get(Achievement, badge_id)
        assert saved.translations == {"vi": dict(zip(("name", "description", "criteria"), VIETNAMESE.values(), strict=True))}
        assert saved.name == ORIGINAL["name"]
