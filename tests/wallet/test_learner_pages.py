"""The learner's side: "Add to a wallet" on the badge page, the QR code and buttons, the page a
phone camera opens, the rate limit, the account's list of copies, and revocation of every copy."""
import json
from urllib.parse import parse_qs, unquote, urlsplit

from backpack.credentials.verify import REVOKED, VALID, verify_credential
from backpack.extensions import db
from backpack.issuing import status
from backpack.issuing.verification import local_status_list
from backpack.models import WalletCopy, WalletOffer
from backpack.models.time import utcnow
from backpack.wallet import offers
from tests.conftest import new_client

from .conftest import _badge_for, _people, _signed_in, csrf_of, did_auth, ed25519_wallet, make_offer, read_qr

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def test_the_badge_page_offers_add_to_a_wallet_while_the_badge_is_live(app, learner):
    page = learner.actor.client.get(f"/my/badges/{learner.award.public_id}").get_data(as_text=True)
    assert f'href="/my/badges/{learner.award.public_id}/wallet" data-wallet-button' in page
    status.revoke(learner.award, "Issued by mistake", by=learner.teacher)
    db.session.commit()
    page = learner.actor.client.get(f"/my/badges/{learner.award.public_id}").get_data(as_text=True)
    assert "data-wallet-button" not in page


def test_the_offer_page_shows_one_qr_code_and_a_button_per_kind_of_wallet(app, learner):
    html = make_offer(learner.actor, learner.award)
    offer = db.session.scalar(db.select(WalletOffer))
    token = offers.token_of(offer)
    assert read_qr(html) == f"https://localhost/wallet/i/{token}"
    assert (offer.expires_at - offer.created_at).total_seconds() == 15 * 60
    lcw = html.split('data-wallet-lcw', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert lcw.startswith("https://lcw.app/request?request=")
    request = json.loads(unquote(lcw.split("request=", 1)[1]))
    assert request == {"credentialRequestOrigin": "https://localhost", "protocols": offers_protocols(token)}
    openid = html.split("data-wallet-openid", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(openid).query)["credential_offer_uri"] == [f"https://localhost/wallet/offers/{token}"]
    assert "data-tx-code" not in html


def offers_protocols(token):
    return {
        "vcapi": f"https://localhost/wallet/exchanges/{token}",
        "OID4VCI": f"openid-credential-offer://?credential_offer_uri=https%3A%2F%2Flocalhost%2Fwallet%2Foffers%2F{token}",
    }


def test_a_spent_or_expired_offer_page_says_so_and_offers_a_new_one(app, learner):
    make_offer(learner.actor, learner.award)
    offer = db.session.scalar(db.select(WalletOffer))
    offer.expires_at = utcnow()
    db.session.commit()
    page = learner.actor.client.get(f"/my/wallet-offers/{offer.public_id}")
    assert page.status_code == 410
    assert "no longer works" in page.get_data(as_text=True)
    token = offers.token_of(offer)
    gone = new_client(app).get(f"/wallet/i/{token}")
    assert gone.status_code == 410 and "no longer works" in gone.get_data(as_text=True)
    assert new_client(app).get(f"/wallet/i/{token}?iuv=1").status_code == 410
    assert new_client(app).get("/wallet/i/guessed").status_code == 404
    assert new_client(app).get("/wallet/i/guessed?iuv=1").get_json()["name"] == "NotFoundError"


def test_a_phone_camera_gets_a_page_naming_the_badge_in_the_learners_language(app):
    teacher, user = _people(language="es")
    award = _badge_for(user, teacher)
    actor = _signed_in(app, user, "https://localhost")
    interaction = read_qr(make_offer(actor, award))
    page = new_client(app).get(interaction)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Soldadura segura" in html and "Riverside Adult School" in html
    assert 'href="https://lcw.app/request?request=' in html
    assert 'href="openid-credential-offer://?credential_offer_uri=' in html


def test_a_revoked_badge_gets_no_offer(app, learner):
    status.revoke(learner.award, "Issued by mistake", by=learner.teacher)
    db.session.commit()
    page = learner.actor.client.get(f"/my/badges/{learner.award.public_id}/wallet")
    answer = learner.actor.client.post(
        f"/my/badges/{learner.award.public_id}/wallet", data={"csrf_token": csrf_of(page.get_data(as_text=True))}
    )
    assert answer.status_code == 409
    assert "revoked" in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(WalletOffer.id))) == 0


def test_another_learners_offer_is_not_found(app, learner):
    make_offer(learner.actor, learner.award)
    offer = db.session.scalar(db.select(WalletOffer))
    teacher, someone = _people()
    other = _signed_in(app, someone, "https://localhost")
    assert other.client.get(f"/my/wallet-offers/{offer.public_id}").status_code == 404
    assert other.client.get(f"/my/badges/{learner.award.public_id}/wallet").status_code == 404


def test_fifty_offers_a_minute_are_rate_limited(app, learner):
    page = learner.actor.client.get(f"/my/badges/{learner.award.public_id}/wallet")
    data = {"csrf_token": csrf_of(page.get_data(as_text=True))}
    codes = [learner.actor.client.post(f"/my/badges/{learner.award.public_id}/wallet", data=data).status_code for _ in range(50)]
    assert codes[:10] == [302] * 10
    assert set(codes[10:]) == {429}
    assert db.session.scalar(db.select(db.func.count(WalletOffer.id))) == 10
    assert learner.actor.client.get(f"/my/badges/{learner.award.public_id}/wallet").status_code == 200


def _by_openid4vci(app, learner) -> str:
    """Send the badge to a wallet through OpenID4VCI; return the wallet's DID."""
    client = new_client(app)
    interaction = read_qr(make_offer(learner.actor, learner.award))
    link = client.get(interaction + "?iuv=1").get_json()["protocols"]["OID4VCI"]
    offer = client.get(parse_qs(urlsplit(link).query)["credential_offer_uri"][0]).get_json()
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    token = client.post("/wallet/token", data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}).get_json()["access_token"]
    wallet = ed25519_wallet()
    proof = wallet.proof(client.post("/wallet/nonce").get_json()["c_nonce"])
    answer = client.post("/wallet/credential", json={"credential_configuration_id": "OpenBadgeCredential", "proofs": {"jwt": [proof]}},
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    return wallet.did


def _by_vc_api(app, learner) -> str:
    from backpack.credentials import keys

    client = new_client(app)
    exchange = client.get(read_qr(make_offer(learner.actor, learner.award)) + "?iuv=1").get_json()["protocols"]["vcapi"]
    challenge = client.post(exchange, json={}).get_json()["verifiablePresentationRequest"]["challenge"]
    key = keys.generate_key()
    assert client.post(exchange, json={"verifiablePresentation": did_auth(key, challenge, "localhost")}).status_code == 200
    return key.did


def test_the_account_lists_the_wallets_and_revoking_the_award_revokes_every_copy(app, learner):
    first, second = _by_openid4vci(app, learner), _by_vc_api(app, learner)
    account = learner.actor.client.get("/account/").get_data(as_text=True)
    assert 'href="/account/wallets"' in account
    listed = learner.actor.client.get("/account/wallets").get_data(as_text=True)
    assert first in listed and second in listed and "Safe welding" in listed
    assert listed.count("data-wallet-copy>") == 2
    sent = [json.loads(copy.credential_json) for copy in db.session.scalars(db.select(WalletCopy))]
    assert {credential["credentialSubject"]["id"] for credential in sent} == {first, second}
    for credential in sent:
        assert verify_credential(credential, fetch_status_list=local_status_list).status == VALID
    status.revoke(learner.award, "Issued by mistake", by=learner.teacher)
    db.session.commit()
    for credential in sent:
        assert verify_credential(credential, fetch_status_list=local_status_list).status == REVOKED
    assert "Revoked" in learner.actor.client.get("/account/wallets").get_data(as_text=True)


def test_a_learner_with_no_copies_is_told_so(app, learner):
    assert "not added a badge to a wallet" in learner.actor.client.get("/account/wallets").get_data(as_text=True)
