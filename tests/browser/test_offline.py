"""The app installs its service worker and still answers, from its cache, without a network."""
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from backpack.issuing.achievements import create_achievement
from backpack.issuing.awarding import award
from backpack.issuing.issuers import create_issuer
from backpack.models import Role, User
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import wait_until_controlled
from tests.browser.test_sharing import as_the_server
from tests.conftest import tiny_png

pytestmark = pytest.mark.browser

WAIT_FOR_ACTIVATED = """async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    if (worker.state !== "activated") {
        await new Promise((resolve) => worker.addEventListener("statechange", () => {
            if (worker.state === "activated") resolve();
        }));
    }
    return {scope: registration.scope, script: worker.scriptURL};
}"""


def test_service_worker_serves_the_shell_and_an_offline_page(phone, live_server):
    page = phone.page
    phone.open("/signin")
    worker = page.evaluate(WAIT_FOR_ACTIVATED)
    assert worker == {"scope": live_server.url + "/", "script": live_server.url + "/sw.js"}
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    # A page never opened before: the worker answers with its offline page...
    with page.expect_response(lambda r: r.url.endswith("/css/signed-in.css")) as stylesheet:
        response = page.goto(live_server.url + "/language")
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    # ...styled by the stylesheet from its cache.
    assert stylesheet.value.from_service_worker
    assert stylesheet.value.ok


def test_without_the_service_worker_an_offline_page_fails(phones, live_server):
    """The negative control: offline, the same navigation fails when workers are blocked."""
    phone = phones(service_workers="block")
    phone.open("/signin")
    phone.context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        phone.open("/language")


def award_two_badges(server, teacher, learner) -> list[str]:
    """Two badges of the teacher's school for the learner; return their names."""
    with as_the_server(server) as session:
        teacher_user = session.get(User, teacher.user_id)
        issuer = create_issuer("Riverside Adult School", members=[teacher_user], url="https://riverside.example")
        names = ["Reading forms", "Everyday conversation"]
        for name in names:
            badge = create_achievement(
                issuer, by=teacher_user, name=name, description="A skill.", criteria="Show it.", image_png=tiny_png()
            )
            award(badge, [session.get(User, learner.user_id)], by=teacher_user)
        session.commit()
        return names


def test_every_badge_opens_offline_until_the_learner_signs_out(phone, live_server):
    amina = live_server.make_person(Role.LEARNER, "Amina Yusuf")
    teacher = live_server.make_person(Role.TEACHER, "Ms Rivera")
    page = phone.page
    phone.open(amina.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    names = award_two_badges(live_server, teacher, amina)
    page.evaluate(WAIT_FOR_ACTIVATED)

    # Online, the backpack asks the worker to keep both badge pages and their pictures.
    phone.open("/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => document.documentElement.dataset.keptOffline === '4'")
    expect(page.locator("[data-offline-notice]")).to_be_hidden()
    badge_paths = [page.locator("[data-badge-card]").nth(i).get_attribute("href") for i in range(2)]

    # No connection: the backpack and each badge (neither badge page was opened) still open.
    phone.context.set_offline(True)
    response = page.goto(live_server.url + "/")
    assert response.from_service_worker
    expect(page.locator("[data-offline-notice]")).to_be_visible()
    for name in names:
        expect(page.locator("[data-badge-card]", has_text=name)).to_be_visible()
    for path in badge_paths:
        assert page.goto(live_server.url + path).from_service_worker
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("|".join(names)))
        picture = page.locator("main img").first
        expect(picture).to_be_visible()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
        expect(page.locator("[data-offline-notice]")).to_have_text(
            "You are offline. This is the copy kept on this phone."
        )
    assert_accessible(page, "a badge page kept offline")

    # Signing out forgets every kept page: offline, the backpack is not shown any more.
    phone.context.set_offline(False)
    phone.open("/account/")
    page.get_by_role("button", name="Sign out on this device").click()
    page.wait_for_url(re.compile(r"/signin"))
    phone.context.set_offline(True)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    assert names[0] not in page.content()


def test_a_page_that_loaded_without_the_worker_asks_to_be_claimed(phone, live_server):
    """A page can load while the worker is still activating and miss its claim: it asks again.

    A reload that bypasses the service worker (Chromium's "ignore cache" reload, as shift-reload)
    makes such a page deterministically; it must become controlled without another reload, so
    the offline queue works from the first visit.
    """
    page = phone.page
    phone.open("/signin")
    page.evaluate(WAIT_FOR_ACTIVATED)
    session = phone.context.new_cdp_session(page)
    with page.expect_event("load"):
        session.send("Page.reload", {"ignoreCache": True})
    wait_until_controlled(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == live_server.url + "/sw.js"
