"""Amina got her forklift badge from another college in a chat app. She taps Share → Backpack:
the phone posts the file to Backpack's share target, the service worker keeps it on the phone,
and the import page shows it, ready. Nothing is added until she taps "Add the badge".

The phone's share sheet is played by a form built in a page of the app (the POST a share sheet
sends: multipart, no CSRF token, to the manifest's share_target action, the share's own address).
"""
import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from backpack import ROOT
from backpack.extensions import db
from backpack.learner.badge_reading import MAX_FILE_BYTES, MAX_JSON_BYTES
from backpack.models import ImportedCredential, Role
from tests.browser.accessibility import assert_accessible
from tests.browser.steps import wait_until_wired
from tests.browser.test_import import BADGE, badge_from_another_college
from tests.browser.test_offline import WAIT_FOR_ACTIVATED

pytestmark = pytest.mark.browser

SHARED = re.compile(r"/my/imported/new\?shared=[0-9a-f-]{36}$")
SHARE_ACTION = json.loads((ROOT / "manifest.json").read_text())["share_target"]["action"]

# What a phone's share sheet sends when someone picks Backpack, built in the current page.
SHARE_SHEET = """(sheet) => {
    const form = document.createElement("form");
    form.method = "post";
    form.enctype = "multipart/form-data";
    form.action = sheet.action;
    form.dataset.shareSheet = "";
    for (const [name, value] of Object.entries(sheet.fields)) {
        const input = document.createElement("input");
        input.name = name;
        input.value = value;
        form.append(input);
    }
    const file = document.createElement("input");
    file.type = "file";
    file.name = "badge";
    form.append(file);
    document.body.append(form);
}"""

KEPT_SHARES = """async () => {
    if (!(await caches.has("backpack-shared"))) return 0;
    return (await (await caches.open("backpack-shared")).keys()).length;
}"""


def share(page, *, file: dict | None = None, title: str = "", text: str = "", url: str = "") -> None:
    """Share to Backpack from another app: a file and/or words, as the share sheet posts them."""
    page.evaluate(SHARE_SHEET, {"action": SHARE_ACTION, "fields": {"title": title, "text": text, "url": url}})
    if file:
        page.set_input_files("form[data-share-sheet] input[type=file]", files=[file])
    page.evaluate("document.querySelector('form[data-share-sheet]').submit()")


def learner_with_the_app(phones, server, name: str = "Amina Diallo"):
    """A learner signed in on her phone, with Backpack's service worker installed and in charge."""
    person = server.make_person(Role.LEARNER, name)
    phone = phones()
    phone.open(person.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    phone.page.evaluate(WAIT_FOR_ACTIVATED)
    phone.open("/")
    phone.page.wait_for_function("navigator.serviceWorker.controller !== null")
    return person, phone


def imported_count(server, person) -> int:
    with server.database() as session:
        return session.scalar(
            db.select(db.func.count(ImportedCredential.id)).where(ImportedCredential.owner_id == person.user_id)
        )


def open_shared_page(page) -> None:
    """Wait for the import page the worker opened, and for its script to have read the share."""
    page.wait_for_url(SHARED)
    wait_until_wired(page)


def test_a_badge_picture_shared_from_another_app_is_added_with_one_tap(phones, live_server):
    png = badge_from_another_college(live_server)
    amina, phone = learner_with_the_app(phones, live_server)
    page = phone.page

    share(page, title="Forklift badge", text="Here is your badge!",
          file={"name": "forklift.png", "mimeType": "image/png", "buffer": png})
    open_shared_page(page)
    box = page.locator("[data-shared-files]")
    expect(box).to_have_attribute("data-shared-state", "file")
    expect(page.locator("[data-import-shared]")).to_be_visible()
    expect(box.locator("[data-shared-name]")).to_have_text("forklift.png")
    expect(box.locator("[data-shared-kind]")).to_have_text("Badge picture (PNG)")
    preview = box.locator("[data-shared-preview]")
    expect(preview).to_be_visible()
    page.wait_for_function("document.querySelector('[data-shared-preview]').naturalWidth > 0")
    chosen = page.get_by_label("A badge file (PNG, SVG or JSON)")
    assert chosen.evaluate("(input) => [...input.files].map((file) => [file.name, file.size])") == [["forklift.png", len(png)]]
    # A file share fills no address: the file is what she shared.
    expect(page.get_by_label("Or the badge's web address")).to_have_value("")
    assert_accessible(page, "import page with a shared badge")
    # The share was read once, and is gone from the phone; nothing is in the backpack yet.
    assert page.evaluate(KEPT_SHARES) == 0
    assert imported_count(live_server, amina) == 0

    page.get_by_role("button", name="Add the badge").click()
    page.wait_for_url(re.compile(r"/my/imported/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("[data-verdict]")).to_contain_text("Genuine badge")
    page.locator("#main").get_by_role("link", name="My badges").click()
    expect(page.locator("[data-imported-card]", has_text=BADGE)).to_be_visible()
    assert imported_count(live_server, amina) == 1


def test_a_shared_link_fills_the_address_and_a_share_read_once_has_expired(phones, live_server):
    _, phone = learner_with_the_app(phones, live_server, "Tomás Rivera")
    page = phone.page

    share(page, title="My badge", text="Look! https://issuer.example/badges/42 #proud")
    open_shared_page(page)
    expect(page.locator("[data-shared-files]")).to_have_attribute("data-shared-state", "text")
    expect(page.locator("[data-import-shared]")).to_be_visible()
    expect(page.get_by_label("Or the badge's web address")).to_have_value("https://issuer.example/badges/42")
    expect(page.locator("[data-shared-file]")).to_be_hidden()

    share(page, url="https://issuer.example/assertions/7.json")
    open_shared_page(page)
    expect(page.get_by_label("Or the badge's web address")).to_have_value("https://issuer.example/assertions/7.json")

    token = "eyJhbGciOiJFZERTQSJ9.e30.AAAA"
    share(page, text=token)
    open_shared_page(page)
    expect(page.get_by_label("Or paste the badge (JSON or JWT)")).to_have_value(token)

    # Opening the same share again (a reload): it was deleted when read.
    page.reload()
    wait_until_wired(page)
    expect(page.locator("[data-shared-files]")).to_have_attribute("data-shared-state", "expired")
    expect(page.get_by_role("alert")).to_have_text("This share has expired. Share it again.")
    expect(page.get_by_label("Or paste the badge (JSON or JWT)")).to_have_value("")


def test_a_share_made_while_signed_out_waits_for_the_sign_in(phones, live_server):
    png = badge_from_another_college(live_server)
    amina, phone = learner_with_the_app(phones, live_server, "Grace Mensah")
    page = phone.page
    phone.open("/account/")
    page.get_by_role("button", name="Sign out on this device").click()
    page.wait_for_url(re.compile(r"/signin"))

    share(page, file={"name": "forklift.png", "mimeType": "image/png", "buffer": png})
    page.wait_for_url(re.compile(r"/signin\?next="))
    phone.press_passkey_button("Sign in with a passkey", lands_on=SHARED.pattern)
    wait_until_wired(page)
    expect(page.locator("[data-shared-kind]")).to_have_text("Badge picture (PNG)")
    page.get_by_role("button", name="Add the badge").click()
    page.wait_for_url(re.compile(r"/my/imported/[\w-]+$"))
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    assert imported_count(live_server, amina) == 1


def test_an_unknown_share_has_expired(phones, live_server):
    _, phone = learner_with_the_app(phones, live_server, "Li Wei")
    page = phone.page
    phone.open(f"/my/imported/new?shared={uuid.uuid4()}")
    wait_until_wired(page)
    expect(page.get_by_role("alert")).to_have_text("This share has expired. Share it again.")
    expect(page.locator("[data-import-shared]")).to_be_hidden()


def test_shares_that_hold_no_badge_say_why_and_fill_nothing(phones, live_server):
    amina, phone = learner_with_the_app(phones, live_server, "Fatima Noor")
    page = phone.page
    chosen = page.get_by_label("A badge file (PNG, SVG or JSON)")

    share(page, file={"name": "timetable.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"})
    open_shared_page(page)
    expect(page.locator("[data-shared-files]")).to_have_attribute("data-shared-state", "refused")
    expect(page.get_by_role("alert")).to_have_text("This file does not contain a badge.")
    expect(page.locator("[data-shared-name]")).to_have_text("timetable.pdf")
    assert chosen.evaluate("(input) => input.files.length") == 0
    assert_accessible(page, "import page with a refused share")

    big = b"\x89PNG\r\n\x1a\n" + bytes(MAX_FILE_BYTES)
    share(page, file={"name": "poster.png", "mimeType": "image/png", "buffer": big})
    open_shared_page(page)
    expect(page.get_by_role("alert")).to_have_text("This is too large to be a badge. A badge file is at most 2 MB.")
    expect(page.locator("[data-shared-preview]")).to_be_hidden()
    assert chosen.evaluate("(input) => input.files.length") == 0

    share(page, text="{" + " " * MAX_JSON_BYTES + "}")
    open_shared_page(page)
    expect(page.get_by_role("alert")).to_have_text("This is too large to be a badge. A badge file is at most 2 MB.")
    expect(page.get_by_label("Or paste the badge (JSON or JWT)")).to_have_value("")

    share(page, title="Hello", text="   ")
    open_shared_page(page)
    expect(page.locator("[data-shared-files]")).to_have_attribute("data-shared-state", "empty")
    expect(page.get_by_role("alert")).to_contain_text("Nothing we can add was shared.")
    assert page.evaluate(KEPT_SHARES) == 0
    assert imported_count(live_server, amina) == 0


def test_before_backpack_was_ever_opened_a_share_asks_to_open_it_once(phones, live_server):
    """No service worker yet: the POST reaches the server, which keeps nothing and says what to do."""
    phone = phones(service_workers="block")
    page = phone.page
    phone.open("/language")
    share(page, file={"name": "forklift.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"})
    page.wait_for_url(live_server.url + "/my/imported/shared")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open Backpack once, then share again")
    page.get_by_role("link", name="Open Backpack").click()
    page.wait_for_url(re.compile(r"/(signin|language)"))


def test_a_share_never_opened_is_forgotten_after_a_day(phone, live_server):
    """A new worker's activation (as after a deploy) clears shares older than a day, keeps a fresh one."""
    page = phone.page
    phone.open("/language")
    page.evaluate(WAIT_FOR_ACTIVATED)
    page.evaluate("""async () => {
        const cache = await caches.open("backpack-shared");
        const day = 24 * 60 * 60 * 1000;
        for (const [id, at] of [["old", Date.now() - 2 * day], ["fresh", Date.now() - 60 * 1000]]) {
            const headers = {"Content-Type": "application/json", "X-Shared-At": String(at)};
            await cache.put(`/shared-with-backpack/${id}`, new Response("{}", {headers}));
        }
        await (await navigator.serviceWorker.getRegistration()).unregister();
    }""")
    # Once no page uses the old worker it is gone; the next page installs a new one.
    page.goto("about:blank")
    phone.open("/language")
    page.evaluate(WAIT_FOR_ACTIVATED)
    kept = page.evaluate("""async () => {
        const cache = await caches.open("backpack-shared");
        return (await cache.keys()).map((request) => new URL(request.url).pathname);
    }""")
    assert kept == ["/shared-with-backpack/fresh"]
