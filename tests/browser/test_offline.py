"""The app installs its service worker and still answers, from its cache, without a network."""
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

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
    with page.expect_response(lambda r: r.url.endswith("/static/css/app.css")) as stylesheet:
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
