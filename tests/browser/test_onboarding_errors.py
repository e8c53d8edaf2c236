"""When a way in is closed, the person is told why, plainly and in their language."""
import re

import pytest
from playwright.sync_api import expect

from backpack.auth import invites, passkeys
from backpack.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import wait_until_wired

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("close", "message"),
    [("use_invite", invites.USED), ("expire_invite", invites.EXPIRED)],
    ids=["used", "expired"],
)
def test_closed_invite_says_why_in_the_chosen_language(phone, live_server, close, message):
    learner = live_server.make_person(Role.LEARNER, "Lucía")
    getattr(learner, close)()
    page = phone.page

    response = phone.open(learner.invite_path)
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text(live_server.translate("en", message))

    # She picks Spanish from the header; the same link now explains itself in Spanish.
    page.get_by_role("link", name="Language").click()
    page.wait_for_url(re.compile(r"/language\?next="))
    with page.expect_response(lambda r: r.url.endswith(learner.invite_path)) as back:
        page.get_by_role("button", name="Español").click()
    assert back.value.status == 410
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(live_server.translate("es", message))
    assert_accessible(page, f"{close} invite, Spanish")


def test_signin_with_a_passkey_removed_on_the_server_is_explained(phone, live_server):
    learner = live_server.make_person(Role.LEARNER, "Lucía")
    page = phone.page

    def es(text, **variables):
        return live_server.translate("es", text, **variables)

    phone.open(learner.invite_path)
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    phone.press_passkey_button(es("Create my passkey"), lands_on=r"/account/welcome$")
    page.get_by_role("link", name=es("Account")).click()
    page.get_by_role("button", name=es("Sign out on this device")).click()
    page.wait_for_url(re.compile(r"/signin$"))

    # Her teacher removed the passkey (a lost phone, say); the phone still offers it.
    learner.delete_passkeys()
    wait_until_wired(page)
    page.get_by_role("button", name=es("Sign in with a passkey")).click()
    error = page.locator("[data-passkey-error]")
    expect(error).to_be_visible()
    expect(error).to_have_text(es(passkeys.UNKNOWN_PASSKEY))
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.get_by_role("button", name=es("Sign in with a passkey"))).to_be_enabled()
    assert len(phone.credentials()) == 1
