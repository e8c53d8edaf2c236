"""A learner reads a badge in their own language, with the teacher's original one tap away, never unmarked English."""
import re

import pytest

from backpack.extensions import db
from backpack.issuing import awarding, claims
from backpack.learner import collections
from backpack.models import Role

TRANSLATIONS = {
    "vi": {"name": "Hàn an toàn", "description": "Hàn an toàn trong xưởng.", "criteria": "Hàn một mối nối đạt yêu cầu."},
    "es": {"name": "Soldadura segura"},
    "ar": {},
}


@pytest.fixture
def school(make_user, make_classroom, make_issuer, make_achievement):
    """A badge written in English, translated into Vietnamese (all of it) and Spanish (its name only)."""
    teacher = make_user(Role.TEACHER, "Ms Rivera")
    badge = make_achievement(make_issuer(teacher), by=teacher, name="Safe welding", language="en", translations=TRANSLATIONS)
    return teacher, badge


@pytest.fixture
def reader(school, make_user, make_classroom, enrol):
    """A learner who reads the app in a language and holds the badge, signed in."""
    teacher, badge = school

    def make(language: str):
        learner = make_user(Role.LEARNER, f"Learner {language}", preferred_language=language)
        make_classroom(teacher, learner, name=f"Class {language}")
        award = awarding.award(badge, [learner], by=teacher).created[0]
        db.session.commit()
        return enrol(learner), award

    return make


def original_block(html: str) -> str:
    return re.search(r"<details class=\"original\" data-original>(.*?)</details>", html, re.S).group(1)


def test_a_vietnamese_learner_reads_vietnamese_and_can_open_the_english(reader):
    learner, award = reader("vi")
    html = learner.client.get(f"/my/badges/{award.public_id}").get_data(as_text=True)

    heading = re.search(r'<h1 class="badge-name" lang="([^"]+)" dir="auto">([^<]+)</h1>', html)
    assert heading.groups() == ("vi", "Hàn an toàn")
    assert 'lang="vi" dir="auto" data-read-aloud>Hàn một mối nối đạt yêu cầu.' in html
    assert "data-not-translated" not in html
    original = original_block(html)
    assert 'lang="en"' in original and "Safe welding" in original and "Weld a joint that passes inspection." in original
    assert re.search(r'<summary>.*<bdi lang="en">English</bdi>', original, re.S)
    assert 'dir="auto"' in original


def test_a_learner_whose_language_has_no_translation_sees_the_original_marked(reader):
    learner, award = reader("ar")
    html = learner.client.get(f"/my/badges/{award.public_id}").get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in html
    assert re.search(r'<h1 class="badge-name" lang="en" dir="auto">Safe welding</h1>', html)
    assert 'lang="en" dir="auto" data-read-aloud>Welds safely in the workshop.' in html
    assert "data-not-translated" in html and "data-original" not in html


def test_a_partial_translation_marks_each_part_and_offers_the_original(reader):
    learner, award = reader("es")
    html = learner.client.get(f"/my/badges/{award.public_id}").get_data(as_text=True)

    assert re.search(r'<h1 class="badge-name" lang="es" dir="auto">Soldadura segura</h1>', html)
    assert 'lang="en" dir="auto" data-read-aloud>Welds safely in the workshop.' in html
    assert "data-not-translated" in html and "data-original" in html


def test_a_learner_who_reads_the_original_language_gets_no_notes(reader):
    learner, award = reader("en")
    html = learner.client.get(f"/my/badges/{award.public_id}").get_data(as_text=True)

    assert re.search(r'<h1 class="badge-name" lang="en" dir="auto">Safe welding</h1>', html)
    assert "data-not-translated" not in html and "data-original" not in html


def test_the_backpack_and_collections_name_the_badge_in_the_learners_language(reader):
    learner, award = reader("vi")
    home = learner.client.get("/").get_data(as_text=True)
    assert re.search(r'<strong class="badge-text" lang="vi" dir="auto">Hàn an toàn</strong>', home)

    collection = collections.create(learner.user, "Cho nhà tuyển dụng")
    collections.add_award(collection, award)
    db.session.commit()
    page = learner.client.get(f"/my/collections/{collection.public_id}").get_data(as_text=True)
    assert re.search(r'lang="vi" dir="auto" data-item-name>Hàn an toàn</a>', page)


def test_the_backpack_marks_a_badge_not_translated_yet(reader):
    learner, _award = reader("ar")
    home = learner.client.get("/").get_data(as_text=True)
    name = r'<strong class="badge-text" lang="en" dir="auto">Safe welding</strong>'
    assert re.search(name + r'\s*<span class="muted not-translated" data-not-translated>', home)


def test_the_claim_page_shows_the_badge_in_the_learners_language(school, make_user, make_classroom, enrol):
    teacher, badge = school
    learner = make_user(Role.LEARNER, "Lan", preferred_language="vi")
    make_classroom(teacher, learner)
    claim = claims.open_code(badge, by=teacher, minutes=10, max_uses=5)
    db.session.commit()
    html = enrol(learner).client.get(f"/claim/{claim.code}").get_data(as_text=True)

    offered = re.search(r"<article[^>]*data-offered-badge>(.*?)</article>", html, re.S).group(1)
    assert re.search(r'<h2 class="badge-name" lang="vi" dir="auto">Hàn an toàn</h2>', offered)
    assert "Safe welding" in original_block(offered)
    # Nothing was claimed by opening the link.
    assert claims.find(claim.code).uses == 0


def test_the_claim_page_with_an_unknown_code_still_asks_for_it(signed_in):
    learner = signed_in(Role.LEARNER)
    response = learner.client.get("/claim/ZZZZZZ")
    assert response.status_code == 200 and "data-offered-badge" not in response.get_data(as_text=True)


def test_sending_evidence_for_a_badge_names_it_in_the_learners_language(reader, school, make_achievement):
    teacher, held = school
    first_aid = make_achievement(
        held.issuer, by=teacher, name="First aid", translations={"vi": {"name": "Sơ cứu"}}
    )
    learner, _award = reader("vi")
    listing = learner.client.get("/my/submissions").get_data(as_text=True)
    assert re.search(r'<strong class="badge-text" lang="vi" dir="auto">Sơ cứu</strong>', listing)
    page = learner.client.get(f"/my/submissions/{first_aid.public_id}").get_data(as_text=True)
    assert re.search(r'<h1 class="badge-text" lang="vi" dir="auto">Sơ cứu</h1>', page)
    assert re.search(r'<p class="badge-text" lang="en" dir="auto">Weld a joint that passes inspection.</p>', page)
    assert "First aid" in original_block(page) and "data-not-translated" in page
