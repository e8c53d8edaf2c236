"""Wallets played by other people's code, over HTTP: an OpenID4VCI client library
(@openid4vc/openid4vci) and the Learner Credential Wallet's VC-API exchange (the DCC's
JavaScript libraries). Each starts from the QR code the learner's page shows, and what it gets
passes the independent verifier until the teacher revokes the award."""
import os

import pytest

from backpack.extensions import db
from backpack.issuing import status
from backpack.models import WalletCopy, WalletOffer
from backpack.models.time import utcnow
from tests.support.verifier_core import run as verifier_core_run
from tests.support.verifier_core import verdict
from tests.support.wallet_clients import run_client

from .conftest import make_offer, read_qr


def verified(credential) -> str:
    return verdict(verifier_core_run([credential])[0])


def test_an_openid4vci_client_library_gets_the_badge_from_the_qr_code(live, live_learner):
    interaction = read_qr(make_offer(live_learner.actor, live_learner.award))
    assert interaction.startswith(f"{live.origin}/wallet/i/")
    got = run_client("oid4vci.mjs", {"interactionUrl": interaction})
    assert got["version"] == "V1"
    assert got["offer"]["credential_configuration_ids"] == ["OpenBadgeCredential"]
    credential = got["credential"]
    assert got["did"].startswith("did:key:z6Mk")
    assert credential["credentialSubject"]["id"] == got["did"]
    copy = db.session.scalar(db.select(WalletCopy))
    assert (copy.holder_did, copy.protocol) == (got["did"], "openid4vci")
    assert verified(credential) == "valid"
    status.revoke(live_learner.award, "Issued by mistake", by=live_learner.teacher)
    db.session.commit()
    assert verified(credential) == "revoked"


def test_an_openid4vci_client_library_types_the_transaction_code(live, live_learner):
    html = make_offer(live_learner.actor, live_learner.award, ask_code=True)
    code = html.split("data-tx-code>", 1)[1].split("<", 1)[0]
    got = run_client("oid4vci.mjs", {"interactionUrl": read_qr(html), "txCode": code})
    assert got["credential"]["credentialSubject"]["id"] == got["did"]


SEED = os.urandom(32).hex()


def lcw(live_learner, **twist) -> dict:
    """Run the Learner Credential Wallet's exchange from the QR code of a new offer."""
    interaction = read_qr(make_offer(live_learner.actor, live_learner.award))
    return run_client("lcw.mjs", {"interactionUrl": interaction, "seed": SEED, **twist})


def test_the_learner_credential_wallet_gets_the_badge_by_did_authentication(live, live_learner):
    got = lcw(live_learner)
    request = got["request"]["body"]["verifiablePresentationRequest"]
    assert request["query"] == [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}, {"method": "jwk"}]}]
    assert request["domain"] == live.origin.removeprefix("http://")
    assert got["answer"]["status"] == 200, got["answer"]
    presentation = got["answer"]["body"]["verifiablePresentation"]
    assert presentation["type"] == ["VerifiablePresentation"]
    credential = presentation["verifiableCredential"][0]
    assert credential["credentialSubject"]["id"] == got["did"]
    assert db.session.scalar(db.select(WalletCopy)).protocol == "vc-api"
    assert verified(credential) == "valid"
    status.revoke(live_learner.award, "Issued by mistake", by=live_learner.teacher)
    db.session.commit()
    assert verified(credential) == "revoked"


@pytest.mark.parametrize("twist, name", [
    ("wrong-challenge", "invalid_challenge"),
    ("other-key", "invalid_presentation"),
])
def test_the_exchange_refuses_a_wrong_challenge_or_another_key(live, live_learner, twist, name):
    got = lcw(live_learner, twist=twist)
    assert got["answer"]["status"] == 400
    assert got["answer"]["body"]["name"] == name and got["answer"]["body"]["message"]
    assert db.session.scalar(db.select(db.func.count(WalletCopy.id))) == 0


def test_the_exchange_gives_the_badge_once(live, live_learner):
    got = lcw(live_learner, twist="replay")
    assert got["answer"]["status"] == 200
    assert got["replay"]["status"] == 404 and got["replay"]["body"]["name"] == "NotFoundError"
    assert db.session.scalar(db.select(db.func.count(WalletCopy.id))) == 1


def test_an_expired_exchange_gives_nothing(live, live_learner):
    interaction = read_qr(make_offer(live_learner.actor, live_learner.award))
    protocols = live_learner.actor.client.get(interaction + "?iuv=1").get_json()["protocols"]
    db.session.execute(db.update(WalletOffer).values(expires_at=utcnow()))
    db.session.commit()
    assert live_learner.actor.client.get(interaction + "?iuv=1").status_code == 410
    got = run_client("lcw.mjs", {"interactionUrl": interaction, "protocols": protocols, "seed": SEED})
    assert got["request"]["status"] == 404 and got["request"]["body"]["name"] == "NotFoundError"
    assert "answer" not in got
    assert db.session.scalar(db.select(db.func.count(WalletCopy.id))) == 0
