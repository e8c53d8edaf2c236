"""did:web issuers of Data Integrity badges (Ed25519Signature2020, signed at test time by the DCC's
libraries): the DID document comes through the outbound guard and is kept briefly, so adding
several badges of one school fetches it once, and a key the school changed is seen within minutes."""
import json

from backpack.extensions import db
from backpack.learner import importing
from backpack.web import outbound
from tests.credentials.test_ed25519_2020 import badge, run_dcc

DID = "did:web:oldmill.example"
DID_URL = "https://oldmill.example/.well-known/did.json"


def did_document(made: dict) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/did/v1"], "id": DID,
        "verificationMethod": [{"id": made["keyId"], "type": "Ed25519VerificationKey2020", "controller": DID,
                                "publicKeyMultibase": made["publicKeyMultibase"]}],
        "assertionMethod": [made["keyId"]],
    }


def test_the_did_document_is_fetched_through_the_guard_once_for_several_badges(app, holder, monkeypatch):
    made = run_dcc(badge(number=1), badge(number=2), controller=DID)
    other_key = run_dcc(badge(number=3), seed=bytes(range(1, 33)), controller=DID)
    served = {"document": did_document(made)}
    asked = []

    def guarded(url, **options):
        asked.append(url)
        return outbound.Fetched(url, 200, "application/json", json.dumps(served["document"]).encode())

    importing.clear_key_cache()
    monkeypatch.setattr(importing, "guarded_fetch", guarded)
    for credential in made["credentials"]:
        outcome = importing.import_credential(holder, data=json.dumps(credential).encode())
        assert outcome.credential.status == "valid", outcome.credential.reasons
    db.session.commit()
    assert asked == [DID_URL]

    # The school moves to a new key: within the cache's lifetime the old document still speaks ...
    served["document"] = did_document(other_key)
    first = outcome.credential
    assert importing.recheck(first).status == "valid"
    assert asked == [DID_URL]
    # ... and once it lapses the new document is fetched, which no longer lists the old key.
    monkeypatch.setattr(importing, "KEY_CACHE_SECONDS", 0)
    importing.clear_key_cache()
    assert importing.recheck(first).status == "invalid"
    assert asked == [DID_URL, DID_URL]
    importing.clear_key_cache()
