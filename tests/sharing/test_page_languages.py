"""The employer's page speaks the reader's language: the teacher's translation, the original one tap away,
and a page kept in the cache per language."""
import re

import pytest
from flask import template_rendered

from backpack.extensions import db
from backpack.issuing import achievements
from backpack.learner import collections
from backpack.models import Achievement, Award, ShareLink
from backpack.sharing import page_cache
from tests.conftest import new_client
from tests.sharing.test_collection_links import make_link
from tests.sharing.test_share_links import shared  # noqa: F401  (the fixture)

TRANSLATIONS = {
    "vi": {"name": "Hàn an toàn", "description": "Hàn an toàn trong xưởng.", "criteria": "Hàn một mối nối đạt yêu cầu."},
    "ar": {"name": "لحام آمن", "description": "يلحم بأمان في الورشة.", "criteria": "الحم وصلة تنجح في الفحص."},
}


@pytest.fixture
def renders(app):
    seen = []

    def record(sender, template, context, **extra):
        if template.name.startswith("sharing/public"):
            seen.append(context.get("text") and context["text"].name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


@pytest.fixture
def page(shared):  # noqa: F811
    """The path of a shared badge translated into Vietnamese and Arabic, and an employer's client."""
    learner, _teacher, award, share = shared
    achievements.set_translations(award.achievement, TRANSLATIONS)
    db.session.commit()
    path = share()[0].replace("https://localhost", "")
    return path, new_client(learner.client.application), award


def heading(html: str) -> tuple[str, str]:
    return re.search(r'<h2 class="badge-name" lang="([^"]+)" dir="auto">([^<]+)</h2>', html).groups()


def test_a_vietnamese_employer_reads_vietnamese_with_the_original_one_tap_away(page):
    path, employer, _award = page
    html = employer.get(path, headers={"Accept-Language": "vi-VN,vi;q=0.9"}).get_data(as_text=True)

    assert heading(html) == ("vi", "Hàn an toàn")
    assert '<p class="badge-text" lang="vi" dir="auto">Hàn một mối nối đạt yêu cầu.</p>' in html
    original = re.search(r'<details class="original" data-original>(.*?)</details>', html, re.S).group(1)
    assert '<bdi lang="en">English</bdi>' in original
    assert '<p class="badge-text" lang="en" dir="auto" data-original-name><strong>Safe welding</strong></p>' in original
    assert "<script" not in html and "data-not-translated" not in html


def test_a_language_without_a_translation_shows_the_original_marked_and_says_so(page):
    path, employer, _award = page
    html = employer.get(path, headers={"Accept-Language": "ht"}).get_data(as_text=True)

    assert '<html lang="ht"' in html
    assert heading(html) == ("en", "Safe welding")
    assert '<p class="badge-text" lang="en" dir="auto">Weld a joint that passes inspection.</p>' in html
    assert "data-not-translated" in html and "data-original" not in html


def test_each_language_is_rendered_once_and_kept(page, renders):
    path, employer, _award = page
    page_cache.clear()
    arabic = employer.get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True)
    vietnamese = employer.get(path, headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert heading(arabic) == ("ar", "لحام آمن") and 'dir="rtl"' in arabic
    assert heading(vietnamese) == ("vi", "Hàn an toàn")
    assert renders == ["لحام آمن", "Hàn an toàn"]

    assert employer.get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True) == arabic
    assert employer.get(path, headers={"Accept-Language": "vi"}).get_data(as_text=True) == vietnamese
    assert len(renders) == 2


def test_the_cache_key_names_the_language_and_the_translation(page):
    _path, _employer, award = page
    link = db.session.scalar(db.select(ShareLink))
    vietnamese, arabic = page_cache.badge_key(link, "vi", []), page_cache.badge_key(link, "ar", [])
    assert vietnamese != arabic and "vi" in vietnamese

    achievements.set_translations(award.achievement, {**TRANSLATIONS, "vi": {"name": "Hàn cẩn thận"}})
    db.session.commit()
    assert page_cache.badge_key(link, "vi", []) != vietnamese
    assert page_cache.badge_key(link, "ar", []) == arabic


def test_a_new_translation_shows_at_once_despite_the_cache(page):
    path, employer, award = page
    assert heading(employer.get(path, headers={"Accept-Language": "vi"}).get_data(as_text=True))[1] == "Hàn an toàn"
    badge = db.session.get(Achievement, award.achievement_id)
    achievements.set_translations(badge, {**TRANSLATIONS, "vi": {"name": "Hàn cẩn thận"}})
    db.session.commit()
    assert heading(employer.get(path, headers={"Accept-Language": "vi"}).get_data(as_text=True)) == ("vi", "Hàn cẩn thận")


def test_a_shared_collection_names_each_badge_in_the_readers_language(shared):  # noqa: F811
    learner, _teacher, award, _share = shared
    achievements.set_translations(award.achievement, TRANSLATIONS)
    collection = collections.create(learner.user, "Cho nhà tuyển dụng")
    item = collections.add_award(collection, db.session.get(Award, award.id))
    collections.set_shareable(item, True)
    db.session.commit()
    path, _page = make_link(learner, collection)
    employer = new_client(learner.client.application)

    html = employer.get(path, headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert re.search(r'<h2 class="badge-name" id="item-1-name" lang="vi" dir="auto">Hàn an toàn</h2>', html)
    assert "data-original-name" in html
    english = employer.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<h2 class="badge-name" id="item-1-name" lang="en" dir="auto">Safe welding</h2>', english)
    assert "data-original" not in english and "data-not-translated" not in english
