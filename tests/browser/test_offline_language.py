"""Offline, the phone speaks the learner's language, not the English it was set up in.

The phone's browser is set to English. The learner picks Arabic; the service worker sees
the pages now speak Arabic (Content-Language) and keeps the Arabic offline page. With the
connection gone, a page never opened shows it. She switches to Spanish: the offline page
follows. Her badge pages kept for offline reading are kept again in her new language.
"""
import pytest
from playwright.sync_api import expect

from backpack.models import Role
from tests.browser.test_offline import WAIT_FOR_ACTIVATED, award_two_badges

pytestmark = pytest.mark.browser

OFFLINE_PAGE_LANGUAGE = """async () => {
    const kept = await caches.match("/offline");
    return kept ? kept.headers.get("Content-Language") : null;
}"""


def choose(phone, name: str) -> None:
    """Pick a language on the language page, by its own name."""
    phone.open("/language")
    phone.page.get_by_role("button", name=name, exact=True).click()
    phone.page.wait_for_url(lambda url: "/language" not in url)


def offline_page_language(page) -> str | None:
    return page.evaluate(OFFLINE_PAGE_LANGUAGE)


def test_the_offline_page_follows_the_learners_language(phone, live_server):
    page = phone.page
    phone.open("/signin")
    page.evaluate(WAIT_FOR_ACTIVATED)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert offline_page_language(page) == "en"  # kept at install, in the browser's language

    for name, code, tag, direction in [("العربية", "ar", "ar", "rtl"), ("Español", "es", "es", "ltr")]:
        choose(phone, name)
        page.wait_for_function(f"({OFFLINE_PAGE_LANGUAGE})().then((language) => language === {tag!r})")

        phone.context.set_offline(True)
        response = page.goto(live_server.url + "/my/collections?never-opened")
        assert response.from_service_worker
        expect(page.locator("html")).to_have_attribute("lang", tag)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        expect(page.get_by_role("heading", level=1)).to_have_text(live_server.translate(code, "You are offline"))
        phone.context.set_offline(False)


KEPT_PAGE_LANGUAGE = """async (path) => {
    const kept = await caches.match(path, { cacheName: "backpack-pages" });
    return kept ? kept.headers.get("Content-Language") : null;
}"""


def test_pages_kept_offline_follow_the_learners_language(phone, live_server):
    """Amina joins in English, her badges are kept offline; she switches to Arabic and they are kept again, in Arabic."""
    amina = live_server.make_person(Role.LEARNER, "Amina Yusuf")
    teacher = live_server.make_person(Role.TEACHER, "Ms Rivera")
    page = phone.page
    phone.open(amina.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    award_two_badges(live_server, teacher, amina)
    page.evaluate(WAIT_FOR_ACTIVATED)
    phone.open("/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => document.documentElement.dataset.keptOffline === '4'")
    badge = page.locator("[data-badge-card]").first.get_attribute("href")
    assert page.evaluate(KEPT_PAGE_LANGUAGE, badge) == "en"

    choose(phone, "العربية")  # back to her backpack, which asks for its pages to be kept again
    page.wait_for_function(f"({KEPT_PAGE_LANGUAGE})({badge!r}).then((language) => language === 'ar')")

    phone.context.set_offline(True)
    assert page.goto(live_server.url + badge).from_service_worker
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("[data-offline-notice]")).to_have_text(
        live_server.translate("ar", "You are offline. This is the copy kept on this phone.")
    )
