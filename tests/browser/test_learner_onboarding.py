"""Amina, a learner, opens her teacher's invite on her phone and makes Backpack hers.

She reads Arabic, so she picks العربية first; the whole way is then right-to-left and
in Arabic. She creates a passkey, signs out and in again, and adds a security key as a
second passkey.
"""
import re

import pytest
from playwright.sync_api import expect

from backpack.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import wait_until_wired

pytestmark = pytest.mark.browser

ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF]")


def test_learner_joins_in_arabic_and_keeps_two_passkeys(phone, live_server):
    amina = live_server.make_person(Role.LEARNER, "Amina")
    page = phone.page
    html = page.locator("html")

    def ar(message, **variables):
        return live_server.translate("ar", message, **variables)

    # The invite opens in the phone's language, English, with the languages offered first.
    response = phone.open(amina.invite_path)
    assert response.status == 200
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amina")
    assert_accessible(page, "invite page, English")

    # She picks Arabic by its own name: the page turns right-to-left and speaks Arabic.
    page.get_by_role("button", name="العربية").click()
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    heading = ar("Welcome, %(name)s", name="Amina")
    assert ARABIC_LETTERS.search(heading)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    chosen = page.get_by_role("button", name="العربية")
    expect(chosen).to_have_attribute("aria-current", "true")
    language = phone.cookie("lang")
    assert language["value"] == "ar" and language["secure"] and language["httpOnly"]
    assert_accessible(page, "invite page, Arabic")

    # One press: the phone's screen lock (the virtual authenticator) makes her passkey.
    phone.press_passkey_button(ar("Create my passkey"), lands_on=r"/account/welcome$")
    welcome = ar("You are in, %(name)s!", name="Amina")
    expect(page.get_by_role("heading", level=1)).to_have_text(welcome)
    session = phone.cookie("session")
    assert session["secure"] and session["httpOnly"], "the session cookie must stay Secure"
    assert len(phone.credentials()) == 1
    assert amina.passkey_count() == 1
    assert amina.preferred_language() == "ar"

    page.get_by_role("link", name=ar("Continue")).click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ar("My badges"))
    expect(html).to_have_attribute("dir", "rtl")
    assert_accessible(page, "home, Arabic")

    # Signing out on the account page ends the session on this phone.
    page.get_by_role("link", name=ar("Account")).click()
    page.wait_for_url(live_server.url + "/account/")
    assert_accessible(page, "account, Arabic")
    page.get_by_role("button", name=ar("Sign out on this device")).click()
    page.wait_for_url(re.compile(r"/signin$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ar("Sign in"))
    phone.open("/account/")
    expect(page).to_have_url(re.compile(r"/signin\?next="))

    # Back in with the passkey alone: no name, no password.
    phone.open("/signin")
    phone.press_passkey_button(ar("Sign in with a passkey"), lands_on="/$")
    expect(page.get_by_role("heading", level=1)).to_have_text(ar("My badges"))

    # The phone already holds her passkey, so it refuses to make a second one for her...
    page.get_by_role("link", name=ar("Account")).click()
    page.wait_for_url(live_server.url + "/account/")
    wait_until_wired(page)
    page.get_by_role("button", name=ar("Add a passkey on this device")).click()
    expect(page.locator("[data-passkey-error]")).to_have_text(
        ar("This device already has a passkey for your account.")
    )
    # ...but a security key plugged in beside it can hold a second one. (Chromium allows
    # one internal authenticator per browser, so the second device is a USB key.)
    security_key = phone.add_authenticator(transport="usb")
    phone.press_passkey_button(
        ar("Add a passkey on this device"), lands_on=r"/account/\?added=\d+$"
    )
    expect(page.locator("[data-passkey-item]")).to_have_count(2)
    expect(page.locator("[data-passkey-item].is-new")).to_have_count(1)
    assert len(phone.credentials(security_key)) == 1
    assert len(phone.credentials()) == 1
    assert amina.passkey_count() == 2

    # Switching to English on the account page keeps her signed in, in English.
    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", name="Your passkeys")).to_be_visible()
    assert amina.preferred_language() == "en"
    assert_accessible(page, "account, English")
    page.get_by_role("link", name="My badges").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My badges")
    assert_accessible(page, "home, English")
