"""Amina adds her badge to a wallet app: one QR code on her phone, read by an independent
OpenID4VCI wallet; a phone camera that opens the same code gets a page of wallet buttons; her
account then lists the wallet the badge went to."""
import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.issuing.achievements import create_achievement
from backpack.issuing.awarding import award
from backpack.issuing.issuers import create_issuer
from backpack.models import Role, User
from tests.browser.accessibility import assert_accessible
from tests.conftest import tiny_png
from tests.support.wallet_clients import run_client

pytestmark = pytest.mark.browser

BADGE = "Warehouse safety"


def read_qr(image_bytes: bytes) -> str:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(image_bytes)))
    assert len(codes) == 1, f"expected one QR code, found {len(codes)}"
    return codes[0].text


def give_badge(server, teacher, learner) -> str:
    with server.app.test_request_context(base_url=server.url):
        teacher_user = db.session.get(User, teacher.user_id)
        issuer = create_issuer("Riverside Adult School", members=[teacher_user], url="https://riverside.example")
        badge = create_achievement(
            issuer, by=teacher_user, name=BADGE, description="Works safely in the warehouse.",
            criteria="A supervised shift with no safety mistakes.", image_png=tiny_png(),
        )
        outcome = award(badge, [db.session.get(User, learner.user_id)], by=teacher_user)
        db.session.commit()
        return outcome.created[0].public_id


def test_learner_adds_a_badge_to_a_wallet_app(phones, live_server):
    amina = live_server.make_person(Role.LEARNER, "Amina Diallo")
    teacher = live_server.make_person(Role.TEACHER, "Ms Haddad")
    phone = phones()
    page = phone.page
    phone.open(amina.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")
    public_id = give_badge(live_server, teacher, amina)

    phone.open(f"/my/badges/{public_id}")
    page.get_by_role("link", name="Add to a wallet").click()
    page.wait_for_url(re.compile(r"/my/badges/[\w-]+/wallet$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to a wallet")
    assert_accessible(page, "add to a wallet")
    page.get_by_role("button", name="Make a wallet QR code").click()
    page.wait_for_url(re.compile(r"/my/wallet-offers/[\w-]+$"))
    offer_page = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(BADGE)
    expect(page.get_by_role("link", name="Open in Learner Credential Wallet")).to_have_attribute(
        "href", re.compile(r"^https://lcw\.app/request\?request=")
    )
    assert_accessible(page, "wallet QR page")
    interaction = read_qr(page.locator("[data-wallet-qr]").screenshot())
    assert re.fullmatch(re.escape(live_server.url) + r"/wallet/i/[A-Za-z0-9_-]{32}", interaction)

    # Someone opens the code with the phone's camera: a page with one button per kind of wallet.
    camera = phones(locale="es-ES").page
    camera.goto(interaction)
    expect(camera.locator("[data-wallet-interaction]")).to_contain_text(BADGE)
    expect(camera.locator("[data-wallet-openid]")).to_have_attribute("href", re.compile(r"^openid-credential-offer://"))
    assert_accessible(camera, "wallet buttons page")

    # A wallet app reads the same code and takes the badge, bound to its own key.
    got = run_client("oid4vci.mjs", {"interactionUrl": interaction})
    assert got["credential"]["credentialSubject"]["id"] == got["did"]

    phone.open("/account/")
    page.get_by_role("link", name="Badges in wallets").click()
    page.wait_for_url(re.compile(r"/account/wallets$"))
    expect(page.locator("[data-wallet-copy]")).to_have_count(1)
    expect(page.locator("[data-wallet-copy]")).to_contain_text(got["did"])
    assert_accessible(page, "badges in wallets")

    # The code worked once: Amina's page now says so.
    assert phone.open(offer_page).status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This wallet code no longer works")
