"""OpenID4VCI through the test client: metadata, the pre-authorized code, nonce, proof and credential,
and every way a wallet can get it wrong without anything being issued."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from backpack.credentials.verify import VALID, verify_credential
from backpack.extensions import db
from backpack.models import WalletCopy, WalletOffer
from backpack.models.time import utcnow
from backpack.wallet import offers
from tests.conftest import new_client

from .conftest import ISSUER, ed25519_wallet, make_offer, p256_jwk_wallet, read_qr

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def offer_of(client, html: str) -> dict:
    """Follow the QR code as a wallet does: protocols, then the credential offer by reference."""
    interaction = read_qr(html)
    protocols = client.get(interaction + "?iuv=1").get_json()["protocols"]
    link = protocols["OID4VCI"]
    assert link.startswith("openid-credential-offer://?")
    offer_uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    return client.get(offer_uri).get_json()


def access_token(client, offer: dict, **extra) -> str:
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    answer = client.post("/wallet/token", data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, **extra})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["token_type"] == "Bearer"
    return answer.get_json()["access_token"]


def nonce(client) -> str:
    answer = client.post("/wallet/nonce")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return answer.get_json()["c_nonce"]


def ask(client, token, body):
    return client.post("/wallet/credential", json=body, headers={"Authorization": f"Bearer {token}"})


def request_body(jwt):
    return {"credential_configuration_id": "OpenBadgeCredential", "proofs": {"jwt": [jwt]}}


@pytest.fixture
def wallet_client(app):
    """A wallet: no cookie, no CSRF token."""
    return new_client(app)


def test_metadata_names_the_badge_configuration_and_our_endpoints(app, wallet_client):
    metadata = wallet_client.get("/.well-known/openid-credential-issuer").get_json()
    assert metadata["credential_issuer"] == ISSUER
    assert metadata["credential_endpoint"] == f"{ISSUER}/wallet/credential"
    assert metadata["nonce_endpoint"] == f"{ISSUER}/wallet/nonce"
    configuration = metadata["credential_configurations_supported"]["OpenBadgeCredential"]
    assert configuration["format"] == "ldp_vc"
    assert configuration["credential_definition"]["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert configuration["credential_definition"]["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert configuration["cryptographic_binding_methods_supported"] == ["did:key", "did:jwk"]
    assert configuration["proof_types_supported"] == {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}}
    locales = {entry["locale"] for entry in configuration["credential_metadata"]["display"]}
    assert {"en", "es", "ar"} <= locales
    server = wallet_client.get("/.well-known/oauth-authorization-server")
    assert server.headers["Access-Control-Allow-Origin"] == "*"
    assert server.get_json()["issuer"] == ISSUER
    assert server.get_json()["token_endpoint"] == f"{ISSUER}/wallet/token"
    assert server.get_json()["grant_types_supported"] == [PRE_AUTHORIZED]


def test_a_wallet_gets_the_badge_bound_to_its_did_with_the_same_status_entry(app, learner, wallet_client):
    html = make_offer(learner.actor, learner.award)
    offer = offer_of(wallet_client, html)
    assert offer["credential_issuer"] == ISSUER
    assert offer["credential_configuration_ids"] == ["OpenBadgeCredential"]
    token = access_token(wallet_client, offer)
    holder = ed25519_wallet()
    answer = ask(wallet_client, token, request_body(holder.proof(nonce(wallet_client))))
    assert answer.status_code == 200, answer.get_json()
    credential = answer.get_json()["credentials"][0]["credential"]
    original = json.loads(learner.award.credential_json)
    assert credential["credentialSubject"]["id"] == holder.did
    assert credential["id"] != original["id"]
    for same in ("credentialStatus", "validFrom", "evidence", "issuer"):
        assert credential[same] == original[same]
    assert credential["credentialSubject"]["achievement"] == original["credentialSubject"]["achievement"]
    assert verify_credential(credential).check("signature").passed
    assert verify_credential(credential).status in (VALID, "unknown-status")
    copy = db.session.scalar(db.select(WalletCopy))
    assert (copy.holder_did, copy.protocol, json.loads(copy.credential_json)) == (holder.did, "openid4vci", credential)
    assert json.loads(db.session.get(type(learner.award), learner.award.id).credential_json) == original


def test_the_older_single_proof_form_and_a_p256_did_jwk_key_work(app, learner, wallet_client):
    offer = offer_of(wallet_client, make_offer(learner.actor, learner.award))
    token = access_token(wallet_client, offer)
    holder = p256_jwk_wallet()
    body = {"credential_configuration_id": "OpenBadgeCredential", "proof": {"proof_type": "jwt", "jwt": holder.proof(nonce(wallet_client))}}
    answer = ask(wallet_client, token, body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["credentials"][0]["credential"]["credentialSubject"]["id"] == holder.did


def test_a_key_named_by_a_jwk_header_becomes_a_did_jwk(app, learner, wallet_client):
    offer = offer_of(wallet_client, make_offer(learner.actor, learner.award))
    token = access_token(wallet_client, offer)
    holder = ed25519_wallet()
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": holder.jose_key.as_dict(private=False)}
    answer = ask(wallet_client, token, request_body(holder.proof(nonce(wallet_client), header=header)))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["credentials"][0]["credential"]["credentialSubject"]["id"].startswith("did:jwk:")


def test_the_pre_authorized_code_works_once(app, learner, wallet_client):
    offer = offer_of(wallet_client, make_offer(learner.actor, learner.award))
    access_token(wallet_client, offer)
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    again = wallet_client.post("/wallet/token", data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code})
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    assert wallet_client.get(read_qr(make_offer(learner.actor, learner.award)) + "?iuv=1").status_code == 200


@pytest.mark.parametrize("form, error", [
    ({"grant_type": PRE_AUTHORIZED, "pre-authorized_code": "guessed"}, "invalid_grant"),
    ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
    ({"grant_type": PRE_AUTHORIZED}, "invalid_request"),
])
def test_a_guessed_or_malformed_token_request_is_refused(app, learner, wallet_client, form, error):
    answer = wallet_client.post("/wallet/token", data=form)
    assert answer.status_code == 400 and answer.get_json()["error"] == error
    assert answer.get_json()["error_description"]


def test_an_expired_offer_gives_no_token(app, learner, wallet_client):
    offer = offer_of(wallet_client, make_offer(learner.actor, learner.award))
    db.session.execute(db.update(WalletOffer).values(expires_at=utcnow()))
    db.session.commit()
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    answer = wallet_client.post("/wallet/token", data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code})
    assert answer.get_json()["error"] == "invalid_grant"


def test_the_transaction_code_is_needed_and_three_wrong_ones_spend_the_offer(app, learner, wallet_client):
    html = make_offer(learner.actor, learner.award, ask_code=True)
    offer = offer_of(wallet_client, html)
    assert offer["grants"][PRE_AUTHORIZED]["tx_code"]["length"] == 6
    shown = db.session.scalar(db.select(WalletOffer))
    assert f">{offers.tx_code_of(shown)}<" in html
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}
    assert wallet_client.post("/wallet/token", data=form).get_json()["error"] == "invalid_request"
    for wrong in ("000000x", "١٢٣٤٥٦", "12345"):
        assert wallet_client.post("/wallet/token", data={**form, "tx_code": wrong}).get_json()["error"] == "invalid_grant"
    right = wallet_client.post("/wallet/token", data={**form, "tx_code": offers.tx_code_of(shown)})
    assert right.get_json()["error"] == "invalid_grant"


def test_a_transaction_code_the_offer_did_not_ask_for_is_refused(app, learner, wallet_client):
    offer = offer_of(wallet_client, make_offer(learner.actor, learner.award))
    assert "tx_code" not in offer["grants"][PRE_AUTHORIZED]
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    answer = wallet_client.post("/wallet/token", data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, "tx_code": "123456"})
    assert answer.get_json()["error"] == "invalid_request"
    access_token(wallet_client, offer)  # the code still works


def test_the_right_transaction_code_gets_a_token(app, learner, wallet_client):
    offer = offer_of(wallet_client, make_offer(learner.actor, learner.award, ask_code=True))
    access_token(wallet_client, offer, tx_code=offers.tx_code_of(db.session.scalar(db.select(WalletOffer))))


@pytest.fixture
def granted(app, learner, wallet_client):
    """A wallet holding an access token for Amina's badge."""
    return access_token(wallet_client, offer_of(wallet_client, make_offer(learner.actor, learner.award)))


def _refused(answer, error):
    assert answer.status_code in (400, 401, 403), answer.get_json()
    assert answer.get_json()["error"] == error, answer.get_json()
    assert db.session.scalar(db.select(db.func.count(WalletCopy.id))) == 0


def test_a_proof_without_our_nonce_or_with_a_made_up_one_is_refused(app, granted, wallet_client, wallet):
    _refused(ask(wallet_client, granted, request_body(wallet.proof(None))), "invalid_nonce")
    _refused(ask(wallet_client, granted, request_body(wallet.proof("my-own-nonce"))), "invalid_nonce")


def test_a_nonce_gets_one_credential(app, learner, wallet_client, wallet):
    used = nonce(wallet_client)
    token = access_token(wallet_client, offer_of(wallet_client, make_offer(learner.actor, learner.award)))
    assert ask(wallet_client, token, request_body(wallet.proof(used))).status_code == 200
    second = access_token(wallet_client, offer_of(wallet_client, make_offer(learner.actor, learner.award)))
    answer = ask(wallet_client, second, request_body(wallet.proof(used)))
    assert answer.get_json()["error"] == "invalid_nonce"


def test_a_proof_signed_with_another_key_is_refused(app, granted, wallet_client, wallet):
    other = ed25519_wallet()
    forged = other.proof(nonce(wallet_client), header={"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "kid": wallet.kid})
    _refused(ask(wallet_client, granted, request_body(forged)), "invalid_proof")


@pytest.mark.parametrize("change, named", [
    ({"aud": "https://elsewhere.example"}, "aud"),
    ({"iat": 1_600_000_000}, "iat"),
    ({"iat": 10**20}, "iat"),
    ({"typ": "JWT"}, "typ"),
])
def test_a_proof_for_another_issuer_stale_or_untyped_is_refused(app, granted, wallet_client, wallet, change, named):
    answer = ask(wallet_client, granted, request_body(wallet.proof(nonce(wallet_client), **change)))
    _refused(answer, "invalid_proof")
    assert named in answer.get_json()["error_description"]


@pytest.mark.parametrize("extra", [
    {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}},
    {"x5c": ["MIIB"]},
    {"crit": ["b64"], "b64": True},
])
def test_a_proof_naming_its_key_twice_or_by_certificate_or_with_crit_is_refused(app, granted, wallet_client, wallet, extra):
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "kid": wallet.kid, **extra}
    _refused(ask(wallet_client, granted, request_body(wallet.proof(nonce(wallet_client), header=header))), "invalid_proof")


@pytest.mark.parametrize("jwt", ["", "a.b.c", "not a jwt", 42, None, "x" * 9000])
def test_a_proof_that_is_not_a_jwt_is_refused(app, granted, wallet_client, jwt):
    _refused(ask(wallet_client, granted, request_body(jwt)), "invalid_proof")


def test_an_unsupported_did_method_or_proof_type_is_named(app, granted, wallet_client, wallet):
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "kid": "did:web:wallet.example#key-1"}
    answer = ask(wallet_client, granted, request_body(wallet.proof(nonce(wallet_client), header=header)))
    _refused(answer, "invalid_proof")
    assert "did:web" in answer.get_json()["error_description"]
    answer = ask(wallet_client, granted, {"credential_configuration_id": "OpenBadgeCredential", "proofs": {"di_vp": [{}]}})
    _refused(answer, "invalid_proof")
    assert "di_vp" in answer.get_json()["error_description"]
    answer = ask(wallet_client, granted, {"credential_configuration_id": "UniversityDegree", "proofs": {"jwt": ["x"]}})
    _refused(answer, "unknown_credential_configuration")


def test_the_credential_endpoint_needs_the_access_token_and_issues_once(app, granted, wallet_client, wallet):
    _refused(wallet_client.post("/wallet/credential", json=request_body(wallet.proof(nonce(wallet_client)))), "invalid_token")
    _refused(ask(wallet_client, "guessed", request_body(wallet.proof(nonce(wallet_client)))), "invalid_token")
    assert ask(wallet_client, granted, request_body(wallet.proof(nonce(wallet_client)))).status_code == 200
    again = ask(wallet_client, granted, request_body(wallet.proof(nonce(wallet_client))))
    assert again.status_code == 401 and again.get_json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in again.headers["WWW-Authenticate"]


def test_a_badge_revoked_after_the_offer_is_not_issued(app, learner, granted, wallet_client, wallet):
    from backpack.issuing import status

    status.revoke(learner.award, "Issued by mistake", by=learner.teacher)
    db.session.commit()
    _refused(ask(wallet_client, granted, request_body(wallet.proof(nonce(wallet_client)))), "credential_request_denied")


def test_two_requests_spending_one_nonce_at_once_store_one_copy(app, learner, wallet):
    """The unique nonce decides a race the earlier check could not see; nothing else is lost."""
    from backpack.wallet import copies

    first, _token = offers.create(learner.award, learner.user)
    second, _token = offers.create(learner.award, learner.user)
    db.session.commit()
    copies.issue(first, wallet.did, "openid4vci", nonce="same-nonce")
    db.session.commit()
    with pytest.raises(copies.AlreadyIssued):
        copies.issue(second, wallet.did, "openid4vci", nonce="same-nonce")
    db.session.rollback()  # as the view does
    assert db.session.scalar(db.select(db.func.count(WalletCopy.id))) == 1
    assert db.session.get(WalletOffer, second.id).used_at is None
