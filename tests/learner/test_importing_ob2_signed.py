"""Signed Open Badges 2.0 assertions (JWS), signed by npm `jose`, checked with the key the
issuer's profile publishes (CryptographicKey, publicKeyPem) on a small local issuer site;
and hosted assertions whose address answers 410 Gone."""
import json

import pytest

from backpack.extensions import db
from backpack.learner import importing
from backpack.models import ImportedCredential
from tests.conftest import tiny_png
from tests.credentials import jose_tokens
from tests.learner.imports import png_with_ob2

OB2 = "https://w3id.org/openbadges/v2"


@pytest.fixture(scope="module")
def pairs():
    rsa, other = jose_tokens.generate("RS256", "RS256")
    return {"issuer": rsa, "other": other}


def publish(site, pairs, *, revoked=(), key_owner=None) -> dict:
    """Publish an issuer with a public key and a revocation list; return a signed assertion's payload."""
    issuer = {"@context": OB2, "type": "Issuer", "id": f"{site.base}/issuer.json", "name": "Lakeside Training Centre",
              "url": site.base, "publicKey": f"{site.base}/key.json", "revocationList": f"{site.base}/revoked.json"}
    site.serve("/issuer.json", issuer)
    site.serve("/key.json", {"@context": OB2, "type": "CryptographicKey", "id": f"{site.base}/key.json",
                             "owner": key_owner or issuer["id"], "publicKeyPem": pairs["issuer"]["publicPem"]})
    site.serve("/revoked.json", {"@context": OB2, "type": "RevocationList", "id": f"{site.base}/revoked.json",
                                 "issuer": issuer["id"], "revokedAssertions": list(revoked)})
    site.serve("/badge.json", {"@context": OB2, "type": "BadgeClass", "id": f"{site.base}/badge.json",
                               "name": "Safe lifting", "description": "Lifts safely.", "criteria": {"narrative": "Course."},
                               "image": f"{site.base}/badge.png", "issuer": issuer["id"]})
    return {"@context": OB2, "type": "Assertion", "id": "urn:uuid:5d2c7a3e-0f4b-4a3e-8f7e-1b2c3d4e5f60",
            "recipient": {"type": "email", "hashed": True, "identity": "sha256$" + "1" * 64},
            "badge": f"{site.base}/badge.json", "issuedOn": "2025-06-01T10:00:00+00:00",
            "verification": {"type": "SignedBadge", "creator": f"{site.base}/key.json"}}


def signed(pair: dict, payload: dict) -> str:
    return jose_tokens.sign(pair["privateJwk"], {"alg": "RS256"}, payload)


def failed(imported: ImportedCredential) -> list[str]:
    return [item["reason"] for item in imported.reasons if not item["passed"]]


def test_a_signed_assertion_is_checked_with_the_issuers_published_key(site, holder, pairs):
    payload = publish(site, pairs)
    outcome = importing.import_credential(holder, data=png_with_ob2(tiny_png(), signed(pairs["issuer"], payload)))
    db.session.commit()
    found = outcome.credential
    assert (found.status, found.format, found.name, found.issuer_name) == ("valid", "ob2", "Safe lifting", "Lakeside Training Centre")
    assert {"/key.json", "/issuer.json", "/revoked.json"} <= set(site.requests)


def test_a_signature_by_another_key_or_a_changed_badge_is_not_genuine(site, holder, pairs):
    payload = publish(site, pairs)
    stranger = importing.import_credential(holder, data=signed(pairs["other"], payload).encode())
    assert stranger.credential.status == "invalid"
    assert "The signature does not match: the badge was changed after it was signed." in failed(stranger.credential)

    import base64
    header, body, signature = signed(pairs["issuer"], payload).split(".")
    changed = dict(payload, issuedOn="2020-01-01T00:00:00+00:00")
    forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
    outcome = importing.import_credential(holder, data=f"{header}.{forged}.{signature}".encode())
    assert outcome.credential.status == "invalid"


def test_a_key_owned_by_someone_else_is_not_the_issuers(site, holder, pairs):
    payload = publish(site, pairs, key_owner="https://elsewhere.example/issuer")
    outcome = importing.import_credential(holder, data=signed(pairs["issuer"], payload).encode())
    assert outcome.credential.status == "invalid"
    assert "The badge was signed with a key that does not belong to its issuer." in failed(outcome.credential)


def test_a_signed_assertion_in_the_issuers_revocation_list_is_revoked(site, holder, pairs):
    payload = publish(site, pairs, revoked=[{"id": "urn:uuid:5d2c7a3e-0f4b-4a3e-8f7e-1b2c3d4e5f60", "revocationReason": "x"}])
    outcome = importing.import_credential(holder, data=signed(pairs["issuer"], payload).encode())
    assert outcome.credential.status == "revoked"
    assert "The issuer has revoked this badge." in failed(outcome.credential)


def test_an_unreachable_key_leaves_the_badge_not_checked(site, holder, pairs):
    payload = publish(site, pairs)
    site.serve("/key.json", {"error": "gone"}, status=404)
    outcome = importing.import_credential(holder, data=signed(pairs["issuer"], payload).encode())
    assert outcome.credential.status == "not-checked"
    assert "The issuer's key could not be fetched. Try again later." in failed(outcome.credential)


def test_a_hosted_assertion_answered_200_then_revoked_true_then_410(site, holder):
    assertion = site.hosted_badge(7)
    outcome = importing.import_credential(holder, data=json.dumps(assertion).encode())
    db.session.commit()
    assert outcome.credential.status == "valid"

    site.serve("/assertions/7.json", dict(assertion, revoked=True, revocationReason="Issued by mistake"))
    assert importing.recheck(outcome.credential).status == "revoked"

    site.serve("/assertions/7.json", {"error": "gone"}, status=410)
    result = importing.recheck(outcome.credential)
    db.session.commit()
    assert result.status == "revoked"
    assert "The issuer has revoked this badge." in failed(outcome.credential)


def test_a_hosted_assertion_already_gone_when_added_by_its_address_is_kept_revoked(site, holder):
    assertion = site.hosted_badge(8)
    site.serve("/assertions/8.json", dict(assertion, revoked=True), status=410)
    outcome = importing.import_credential(holder, url=assertion["id"])
    db.session.commit()
    assert (outcome.credential.status, outcome.credential.name) == ("revoked", "First aid at work")
    assert "The issuer has revoked this badge." in failed(outcome.credential)


def test_an_address_answering_410_without_the_badge_is_refused_and_nothing_kept(site, holder):
    from backpack.learner.badge_reading import ImportRefused

    url = site.serve("/assertions/9.json", {"revoked": True}, status=410)
    with pytest.raises(ImportRefused):
        importing.import_credential(holder, url=url)
    assert db.session.scalars(db.select(ImportedCredential).filter_by(owner_id=holder.id)).all() == []
