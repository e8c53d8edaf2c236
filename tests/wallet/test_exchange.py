"""The VC-API exchange through the test client: interaction URL, DID Authentication with an
eddsa-rdfc-2022 proof, and the refusals that issue nothing."""
import json

import pytest

from backpack.credentials import keys
from backpack.extensions import db
from backpack.models import WalletCopy
from tests.conftest import new_client

from .conftest import did_auth, make_offer, read_qr

DOMAIN = "localhost"


@pytest.fixture
def exchange(app, learner):
    """A wallet that read the QR code and the protocols: return (client, exchange URL)."""
    client = new_client(app)
    protocols = client.get(read_qr(make_offer(learner.actor, learner.award)) + "?iuv=1").get_json()["protocols"]
    return client, protocols["vcapi"]


def start(client, url) -> dict:
    answer = client.post(url, json={})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["verifiablePresentationRequest"]


def copies() -> int:
    return db.session.scalar(db.select(db.func.count(WalletCopy.id)))


def test_the_interaction_url_names_both_protocols(app, learner):
    client = new_client(app)
    interaction = read_qr(make_offer(learner.actor, learner.award))
    protocols = client.get(interaction + "?iuv=1").get_json()["protocols"]
    token = interaction.rsplit("/", 1)[1]
    assert protocols["vcapi"] == f"https://localhost/wallet/exchanges/{token}"
    assert protocols["OID4VCI"] == (
        f"openid-credential-offer://?credential_offer_uri=https%3A%2F%2Flocalhost%2Fwallet%2Foffers%2F{token}"
    )
    assert client.get(interaction, headers={"Accept": "application/json"}).get_json()["protocols"] == protocols


def test_did_authentication_gets_the_badge_for_the_holder(app, learner, exchange):
    client, url = exchange
    request = start(client, url)
    assert request["domain"] == DOMAIN
    assert start(client, url)["challenge"] == request["challenge"]  # a wallet's retry gets the same challenge
    key = keys.generate_key()
    answer = client.post(url, json={"verifiablePresentation": did_auth(key, request["challenge"], DOMAIN)})
    assert answer.status_code == 200, answer.get_json()
    presentation = answer.get_json()["verifiablePresentation"]
    credential = presentation["verifiableCredential"][0]
    assert credential["credentialSubject"]["id"] == key.did
    assert credential["credentialStatus"] == json.loads(learner.award.credential_json)["credentialStatus"]
    assert copies() == 1


def test_a_presentation_before_the_request_or_not_json_is_refused(app, exchange):
    client, url = exchange
    key = keys.generate_key()
    early = client.post(url, json={"verifiablePresentation": did_auth(key, "x", DOMAIN)})
    assert early.status_code == 400 and early.get_json()["name"] == "NotAllowedError"
    assert client.post(url, data="not json", content_type="text/plain").status_code == 400
    assert client.post(url, json=[1, 2]).get_json()["name"] == "DataError"
    assert copies() == 0


@pytest.mark.parametrize("change, name", [
    (lambda key, request: did_auth(key, request["challenge"], "elsewhere.example"), "invalid_domain"),
    (lambda key, request: did_auth(key, request["challenge"], DOMAIN, holder_did=keys.generate_key().did), "invalid_presentation"),
    (lambda key, request: {**did_auth(key, request["challenge"], DOMAIN), "holder": key.did + "x"}, "invalid_presentation"),
    (lambda key, request: {"type": ["VerifiablePresentation"]}, "invalid_presentation"),
    (lambda key, request: {"type": 5, "proof": "x"}, "invalid_presentation"),
    (lambda key, request: "a string", "invalid_presentation"),
    (lambda key, request: {**did_auth(key, request["challenge"], DOMAIN), "proof": [{"proofPurpose": "authentication",
     "challenge": request["challenge"], "domain": DOMAIN, "verificationMethod": 7}]}, "invalid_proof"),
])
def test_a_presentation_for_another_domain_holder_or_unsigned_is_refused(app, exchange, change, name):
    client, url = exchange
    request = start(client, url)
    answer = client.post(url, json={"verifiablePresentation": change(keys.generate_key(), request)})
    assert answer.status_code == 400 and answer.get_json()["name"] == name, answer.get_json()
    assert answer.get_json()["message"]
    assert copies() == 0


def test_a_presentation_by_another_did_method_names_it(app, exchange):
    client, url = exchange
    request = start(client, url)
    presentation = did_auth(keys.generate_key(), request["challenge"], DOMAIN, holder_did="did:web:wallet.example")
    presentation["proof"][0]["verificationMethod"] = "did:web:wallet.example#key-1"
    answer = client.post(url, json={"verifiablePresentation": presentation})
    assert answer.status_code == 400 and "did:web" in answer.get_json()["message"]


def test_a_guessed_exchange_is_not_found(app, learner):
    answer = new_client(app).post("/wallet/exchanges/guessed-token", json={})
    assert answer.status_code == 404 and answer.get_json()["name"] == "NotFoundError"


def test_an_offer_taken_by_openid4vci_cannot_be_exchanged(app, learner):
    client = new_client(app)
    interaction = read_qr(make_offer(learner.actor, learner.award))
    protocols = client.get(interaction + "?iuv=1").get_json()["protocols"]
    offer_uri = protocols["OID4VCI"].split("credential_offer_uri=", 1)[1].replace("%3A", ":").replace("%2F", "/")
    code = client.get(offer_uri).get_json()["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
    token = client.post("/wallet/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                                               "pre-authorized_code": code})
    assert token.status_code == 200
    assert client.post(protocols["vcapi"], json={}).status_code == 409
    assert client.get(offer_uri).status_code == 404  # the offer is taken
