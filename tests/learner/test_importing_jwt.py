"""Importing credentials secured as JWTs (VC-JWT, VC-JOSE): pasted, baked in PNG or SVG, or
fetched; signed by npm `jose`, checked by joserfc; malformed ones refused, nothing kept."""
import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from backpack.credentials import baking, openbadge
from backpack.extensions import db
from backpack.learner import badge_reading, importing
from backpack.learner.badge_reading import ImportRefused
from backpack.models import ImportedCredential, Role
from backpack.web import outbound
from tests.conftest import tiny_png
from tests.credentials import jose_tokens


@pytest.fixture(scope="module")
def pairs():
    ed, ec = jose_tokens.generate("EdDSA", "ES256")
    return {"EdDSA": ed, "ES256": ec}


def credential(issuer_id: str, **overrides) -> dict:
    return openbadge.build_credential(
        issuer=openbadge.Issuer(id=issuer_id, name="Northgate Academy", url="https://northgate.example"),
        achievement=openbadge.Achievement(
            id="https://northgate.example/achievements/first-aid", name="First aid at work",
            description="Gives first aid.", criteria="Passed the course.", image="https://northgate.example/a.png",
        ),
        valid_from="2025-01-01T00:00:00Z", subject_id="did:example:amina",
        credential_id="urn:uuid:0c7d5a55-8f0e-4a0b-9a8e-0d1c2b3a4f5e", **overrides,
    )


def vc_jwt_of(pair: dict, alg: str, document: dict, **claims) -> str:
    payload = {"iss": document["issuer"]["id"], "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
               "jti": document["id"], "sub": "did:example:amina", "vc": document, **claims}
    return jose_tokens.sign(pair["privateJwk"], {"alg": alg, "typ": "JWT"}, payload)


def kept(holder) -> list[ImportedCredential]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ImportedCredential).filter_by(owner_id=holder.id)))


def failed(imported) -> list[str]:
    return [item["reason"] for item in imported.reasons if not item["passed"]]


def test_a_pasted_vc_jwt_is_kept_as_received_and_genuine(app, holder, pairs):
    token = vc_jwt_of(pairs["EdDSA"], "EdDSA", credential(jose_tokens.did_key(pairs["EdDSA"]["publicJwk"])))
    outcome = importing.import_credential(holder, data=token.encode())
    db.session.commit()

    found = outcome.credential
    assert (found.status, found.format, found.source, found.media_type) == ("valid", "ob3", "jwt", "application/vc+jwt")
    assert (found.name, found.issuer_name) == ("First aid at work", "Northgate Academy")
    assert found.raw == token.encode()
    assert importing.filename(found).endswith(".jwt")
    assert importing.recheck(found).status == "valid"


def test_a_jwt_baked_in_png_and_svg_is_read_and_is_one_badge(app, holder, pairs):
    token = vc_jwt_of(pairs["ES256"], "ES256", credential(jose_tokens.did_key(pairs["ES256"]["publicJwk"])))
    png = baking.bake_png(tiny_png(), token)
    svg = baking.bake_svg('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>', token)
    first = importing.import_credential(holder, data=png)
    db.session.commit()
    assert (first.created, first.credential.source, first.credential.status) == (True, "png", "valid")
    assert not importing.import_credential(holder, data=svg).created
    assert not importing.import_credential(holder, data=token.encode()).created
    assert len(kept(holder)) == 1


def test_a_vc_jose_token_fetched_from_an_address(app, holder, pairs, site):
    pair = pairs["ES256"]
    did = jose_tokens.did_jwk(pair["publicJwk"])
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "ES256", "typ": "vc+jwt"}, credential(did))
    url = site.serve("/badges/1.jwt", token.encode())
    outcome = importing.import_credential(holder, url=url)
    assert (outcome.credential.status, outcome.credential.source) == ("valid", "url")


def test_tampered_and_expired_jwts_are_kept_and_say_why(app, holder, pairs):
    pair = pairs["EdDSA"]
    did = jose_tokens.did_key(pair["publicJwk"])
    last_month = int((datetime.now(UTC) - timedelta(days=30)).timestamp())
    expired = importing.import_credential(holder, data=vc_jwt_of(pair, "EdDSA", credential(did), exp=last_month).encode())
    assert expired.credential.status == "expired"
    assert "The credential expired on %(date)s." in failed(expired.credential)

    header, payload, signature = vc_jwt_of(pair, "EdDSA", credential(did)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Crane operator"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = importing.import_credential(holder, data=f"{header}.{forged}.{signature}".encode())
    db.session.commit()
    assert (tampered.credential.status, tampered.credential.name) == ("invalid", "Crane operator")
    assert "The signature does not match: the badge was changed after it was signed." in failed(tampered.credential)


def test_none_and_hmac_signed_tokens_are_kept_as_not_genuine(app, holder, pairs):
    pair = pairs["EdDSA"]
    did = jose_tokens.did_key(pair["publicJwk"])
    hmac = vc_jwt_of({"privateJwk": {"kty": "oct", "k": pair["publicJwk"]["x"]}}, "HS256", credential(did))
    outcome = importing.import_credential(holder, data=hmac.encode())
    assert outcome.credential.status == "invalid"
    assert "The badge is signed with a method that is not safe or not supported." in failed(outcome.credential)


@pytest.mark.parametrize("text", [
    "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.AAAA",
    "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
    "eyJhbGciOiJFZERTQSJ9." + "A" * (2 * 1024 * 1024) + ".AAAA",
    "eyJhbGciOiJFZERTQSJ9." + "e30" * 240_000 + ".AAAA",
])
def test_malformed_or_oversized_jwts_are_refused_and_nothing_is_kept(app, holder, text):
    with pytest.raises(ImportRefused):
        importing.import_credential(holder, data=text.encode())
    assert kept(holder) == []


def test_a_did_web_issuer_key_is_fetched_from_its_did_document(app, holder, pairs, site):
    pair = pairs["EdDSA"]
    port = site.server.server_address[1]
    did = f"did:web:127.0.0.1%3A{port}:issuers:northgate"
    site.serve("/issuers/northgate/did.json", {
        "@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [{"id": f"{did}#key-1", "type": "JsonWebKey2020", "controller": did,
                                "publicKeyJwk": pair["publicJwk"]}],
        "assertionMethod": [f"{did}#key-1"],
    })
    document = credential(did)
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "kid": f"{did}#key-1"},
                             {"iss": did, "jti": document["id"], "vc": document})

    def plain_http(url):  # the test site speaks HTTP; everything else is the real guarded fetch
        return badge_reading.guarded_fetch(url.replace("https://", "http://"), accept=badge_reading.JSON_TYPES)

    outcome = importing.import_credential(holder, data=token.encode(), fetch=plain_http)
    assert outcome.credential.status == "valid", failed(outcome.credential)
    assert "/issuers/northgate/did.json" in site.requests


def test_a_did_web_on_a_private_address_is_refused_by_the_guard(app, holder, pairs, guard_refusals):
    pair = pairs["EdDSA"]
    did = "did:web:10.0.0.7"
    document = credential(did)
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "kid": f"{did}#key-1"}, {"iss": did, "vc": document})
    outcome = importing.import_credential(holder, data=token.encode())
    assert outcome.credential.status == "invalid"
    assert "The issuer's DID document could not be fetched from its website." in failed(outcome.credential)
    assert guard_refusals == [("https://10.0.0.7/.well-known/did.json", outbound.NOT_PUBLIC)]


def test_a_data_integrity_badge_from_a_did_web_issuer(app, holder, site):
    from tests.credentials.test_ed25519_2020 import badge, run_dcc

    port = site.server.server_address[1]
    did = f"did:web:127.0.0.1%3A{port}"
    made = run_dcc(badge(), controller=did)
    site.serve("/.well-known/did.json", {
        "@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [{"id": made["keyId"], "type": "Ed25519VerificationKey2020", "controller": did,
                                "publicKeyMultibase": made["publicKeyMultibase"]}],
        "assertionMethod": [made["keyId"]],
    })

    def plain_http(url):
        return badge_reading.guarded_fetch(url.replace("https://", "http://"), accept=badge_reading.JSON_TYPES)

    data = json.dumps(made["credentials"][0]).encode()
    outcome = importing.import_credential(holder, data=data, fetch=plain_http)
    assert outcome.credential.status == "valid", failed(outcome.credential)
    assert site.requests.count("/.well-known/did.json") == 1

    # The same badge, checked through the real guard: a did:web on a loopback address is refused.
    app.config["IMPORT_ALLOW_LOCAL_URLS"] = False
    importing.clear_key_cache()
    result = importing.recheck(outcome.credential)
    assert result.status == "invalid"
    assert "The signing key named in the proof cannot be read." in [c.reason for c in result.checks if not c.passed]
    assert site.requests.count("/.well-known/did.json") == 1  # refused before connecting


@pytest.mark.parametrize("language, expected", [
    ("es", "La firma no coincide: la insignia se modificó después de firmarse."),
    ("ar", "التوقيع غير مطابق: تم تغيير الشارة بعد توقيعها."),
])
def test_the_verdict_on_a_pasted_jwt_is_given_in_the_learners_language(signed_in, pairs, language, expected):
    from tests.learner.test_import_pages import post

    amina = signed_in(Role.LEARNER, "Amina")
    assert post(amina, "/language", language=language).status_code == 302
    pair = pairs["EdDSA"]
    header, payload, signature = vc_jwt_of(pair, "EdDSA", credential(jose_tokens.did_key(pair["publicJwk"]))).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Crane operator"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = post(amina, "/my/imported/new", pasted=f"{header}.{forged}.{signature}")
    assert response.status_code == 302
    page = amina.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="invalid"' in page
    assert expected in page


def test_a_did_web_document_is_kept_briefly_between_imports(app, holder, pairs, monkeypatch):
    pair = pairs["EdDSA"]
    did = "did:web:northgate.example"
    did_document = {"id": did, "verificationMethod": [{"id": f"{did}#key-1", "type": "JsonWebKey2020", "controller": did,
                                                        "publicKeyJwk": pair["publicJwk"]}]}
    asked = []

    def guarded(url, **options):
        asked.append(url)
        return outbound.Fetched(url, 200, "application/json", json.dumps(did_document).encode())

    importing.clear_key_cache()
    monkeypatch.setattr(importing, "guarded_fetch", guarded)
    for number in (1, 2):
        document = credential(did)
        document["id"] = f"urn:uuid:0c7d5a55-8f0e-4a0b-9a8e-0d1c2b3a4f5{number}"
        token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "kid": f"{did}#key-1"}, {"iss": did, "vc": document})
        assert importing.import_credential(holder, data=token.encode()).credential.status == "valid"
    assert asked == ["https://northgate.example/.well-known/did.json"]

    monkeypatch.setattr(importing, "KEY_CACHE_SECONDS", 0)
    importing.clear_key_cache()
    importing.recheck(kept(holder)[0])
    assert len(asked) == 2
    importing.clear_key_cache()
