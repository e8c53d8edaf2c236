"""Amina's teacher makes a sign-in link for her account; someone else uses it. Amina takes her account back.

Ms Okafor presses "New invite link (lost phone)" for Amina, who still has her phone. A
second phone opens the link and makes a passkey. Amina's phone shows the notice at once;
on her account page she sees the new device and its sign-in, made with Ms Okafor's link,
and presses "This wasn't me": that passkey is gone and the other phone is signed out.
Then she signs out her own phone from the list of devices.
"""
import re

import pytest
from playwright.sync_api import expect

from backpack.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import join, start_class

pytestmark = pytest.mark.browser


def test_a_sign_in_link_nobody_asked_for_is_taken_back(phones, live_server):
    teacher = live_server.make_person(Role.TEACHER, "Ms Okafor")
    amina = live_server.make_person(Role.LEARNER, "Amina")
    start_class(live_server, teacher, [amina])
    teacher_phone, amina_phone, other_phone = phones(), phones(), phones()
    join(teacher_phone, teacher)
    join(amina_phone, amina)

    # Ms Okafor makes a new link for Amina, and is told that Amina hears about it.
    teacher_phone.open(f"/learners/{amina.user_id}")
    teacher_phone.page.get_by_role("button", name="New invite link (lost phone)").click()
    link = teacher_phone.page.locator("[data-invite-link]")
    expect(link).to_be_visible()
    expect(teacher_phone.page.locator("[data-recovery-told]")).to_be_visible()
    url = link.inner_text()

    # Another phone uses it and gets a passkey for Amina's account.
    other_phone.open(url)
    other_phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    assert amina.passkey_count() == 2

    # Amina's own phone tells her, on her badges and on her account page.
    page = amina_phone.page
    amina_phone.open("/")
    notice = page.locator("[data-recovery-notice]")
    expect(notice).to_contain_text("Your teacher Ms Okafor made a sign-in link for your account.")
    expect(notice).to_contain_text("It was used on")
    assert_accessible(page, "home with a recovery notice")
    notice.get_by_role("link", name="See my sign-ins").click()
    page.wait_for_url(re.compile(r"/account/"))
    expect(page.locator("[data-sign-in]")).to_have_count(2)
    expect(page.locator("[data-this-device]")).to_have_count(1)
    expect(page.locator("[data-sign-in-history]")).to_contain_text("With a sign-in link made by Ms Okafor")
    assert_accessible(page, "account with two devices and a recovered passkey")

    # "This wasn't me" on the passkey the link added.
    recovered = page.locator("[data-passkey-item]", has=page.locator("[data-recovery-passkey]"))
    recovered.get_by_role("button", name="This wasn't me").click()
    expect(page.locator("[data-flash]")).to_contain_text("the administrators were told")
    expect(page.locator("[data-passkey-item]")).to_have_count(1)
    expect(page.locator("[data-sign-in]")).to_have_count(1)
    assert amina.passkey_count() == 1

    # The other phone is signed out: its next page is the sign-in page.
    other_phone.open("/account/")
    expect(other_phone.page).to_have_url(re.compile(r"/signin\?next="))

    # Amina signs her own phone out from the list of devices.
    page.locator("[data-this-device]").get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin$"))
    expect(page.locator("[data-flash]")).to_have_text("You are signed out on this device.")
    amina_phone.open("/account/")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
