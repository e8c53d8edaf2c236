"""The app installs to a phone's home screen: Chromium itself reports no installability errors.

Chromium says "in-incognito" for ordinary (throwaway) contexts, so this one test starts a
persistent profile of its own, the way a phone's browser runs.
"""
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

pytestmark = pytest.mark.browser


def test_chromium_finds_the_app_installable(playwright_driver, live_server, tmp_path):
    phone = {k: v for k, v in playwright_driver.devices[PHONE].items() if k != "default_browser_type"}
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **phone
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(live_server.url + "/language")
        page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        assert manifest["url"].endswith("/manifest.json")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
    finally:
        context.close()
