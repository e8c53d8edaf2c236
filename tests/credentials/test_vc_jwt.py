"""Credentials as JWTs (OB 3.0 §8 VC-JWT and VC-JOSE), signed by npm `jose`, checked by joserfc."""
import base64
import json
from datetime import UTC, datetime

import pytest

from backpack.credentials import openbadge, vc_jwt
from tests.credentials import jose_tokens

NOW = datetime(2025, 6, 1, tzinfo=UTC)
NBF = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def jose_keys():
    ed, ec, rsa, ed_other = jose_tokens.generate("EdDSA", "ES256", "RS256", "EdDSA")
    return {"EdDSA": ed, "ES256": ec, "RS256": rsa, "other": ed_other}


def credential(make_credential, issuer_id: str, **overrides) -> dict:
    return make_credential(
        issuer=openbadge.Issuer(id=issuer_id, name="Riverside Training Centre", url="https://riverside.example"),
        credential_id="urn:uuid:6a4e2f9e-1b1e-4f7e-9e35-3c3f1d0a7b21", **overrides,
    )


def vc_claims(document: dict, exp: int | None = None) -> dict:
    """The OB 3.0 §8 claims: iss, nbf, exp, jti, sub and the credential in vc."""
    claims = {"iss": document["issuer"]["id"], "nbf": NBF, "jti": document["id"],
              "sub": document["credentialSubject"]["id"], "vc": document}
    if exp is not None:
        claims["exp"] = exp
    return claims


def reasons(result) -> list[str]:
    return [check.reason for check in result.checks if not check.passed]


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_a_vc_jwt_signed_with_a_did_key_is_genuine(make_credential, jose_keys, alg):
    pair = jose_keys[alg]
    did = jose_tokens.did_key(pair["publicJwk"])
    document = credential(make_credential, did)
    token = jose_tokens.sign(pair["privateJwk"], {"alg": alg, "typ": "JWT", "kid": f"{did}#{did[8:]}"}, vc_claims(document))

    result = vc_jwt.verify_jwt(token, now=NOW)
    assert result.status == "valid", reasons(result)
    assert result.check("signature").passed and result.check("issuer").passed


def test_a_vc_jose_token_whose_payload_is_the_credential_with_a_did_jwk(make_credential, jose_keys):
    pair = jose_keys["ES256"]
    did = jose_tokens.did_jwk(pair["publicJwk"])
    document = credential(make_credential, did)
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "ES256", "typ": "vc+jwt", "kid": f"{did}#0"}, document)

    decoded = vc_jwt.decode(token)
    assert decoded.enveloped and decoded.credential == document
    assert vc_jwt.verify_jwt(token, now=NOW).status == "valid"


def test_rs256_with_the_issuers_jwks(make_credential, jose_keys):
    pair = jose_keys["RS256"]
    document = credential(make_credential, "https://riverside.example/issuer")
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "RS256", "kid": "key-1"}, vc_claims(document))
    asked = []

    def fetch(url):
        asked.append(url)
        return {"keys": [{**pair["publicJwk"], "kid": "key-1"}]}

    assert vc_jwt.verify_jwt(token, fetch_document=fetch, now=NOW).status == "valid"
    # The issuer's Profile is asked first; it lists no key of its own, so the JWKS decides.
    assert asked == ["https://riverside.example/issuer", "https://riverside.example/issuer/.well-known/jwks.json"]

    unknown = jose_tokens.sign(pair["privateJwk"], {"alg": "RS256", "kid": "key-2"}, vc_claims(document))
    result = vc_jwt.verify_jwt(unknown, fetch_document=fetch, now=NOW)
    assert result.status == "invalid" and vc_jwt.UNKNOWN_KEY in reasons(result)


def test_a_did_web_issuer_key_from_its_did_document(make_credential, jose_keys):
    pair = jose_keys["EdDSA"]
    did = "did:web:riverside.example:issuers:1"
    document = credential(make_credential, did)
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "kid": f"{did}#key-1"}, vc_claims(document))
    did_document = {
        "@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [{"id": "#key-1", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": pair["publicJwk"]}],
        "assertionMethod": ["#key-1"],
    }
    asked = []

    def fetch(url):
        asked.append(url)
        return did_document

    assert vc_jwt.verify_jwt(token, fetch_document=fetch, now=NOW).status == "valid"
    assert asked == ["https://riverside.example/issuers/1/did.json"]

    # A document for another DID, or one that lists the key only for authentication, is not enough.
    result = vc_jwt.verify_jwt(token, fetch_document=lambda url: {**did_document, "id": "did:web:evil.example"}, now=NOW)
    assert result.status == "invalid"
    result = vc_jwt.verify_jwt(token, fetch_document=lambda url: {**did_document, "assertionMethod": []}, now=NOW)
    assert vc_jwt.UNKNOWN_KEY in reasons(result)

    def unreachable(url):
        raise OSError("refused")

    result = vc_jwt.verify_jwt(token, fetch_document=unreachable, now=NOW)
    assert result.status == "invalid"
    assert "The issuer's DID document could not be fetched from its website." in reasons(result)


def test_tampered_expired_and_foreign_keys(make_credential, jose_keys):
    pair = jose_keys["EdDSA"]
    did = jose_tokens.did_key(pair["publicJwk"])
    document = credential(make_credential, did)
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA"}, vc_claims(document, exp=NBF + 3600))

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Crane operator"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = vc_jwt.verify_jwt(f"{header}.{forged}.{signature}", now=NOW)
    assert result.status == "invalid"
    assert "The signature does not match: the badge was changed after it was signed." in reasons(result)

    expired = vc_jwt.verify_jwt(token, now=NOW)
    assert expired.status == "expired"
    assert expired.check("expiry").reason == "The credential expired on %(date)s."

    # Signed by another key but claiming this issuer.
    stranger = jose_tokens.sign(jose_keys["other"]["privateJwk"], {"alg": "EdDSA"}, vc_claims(document))
    assert vc_jwt.verify_jwt(stranger, now=NOW).status == "invalid"
    # A kid naming another DID.
    other_did = jose_tokens.did_key(jose_keys["other"]["publicJwk"])
    foreign = jose_tokens.sign(jose_keys["other"]["privateJwk"], {"alg": "EdDSA", "kid": f"{other_did}#x"}, vc_claims(document))
    assert "The badge was signed with a key that does not belong to its issuer." in reasons(vc_jwt.verify_jwt(foreign, now=NOW))


def test_none_hmac_and_mismatched_algorithms_are_refused(make_credential, jose_keys):
    pair = jose_keys["EdDSA"]
    did = jose_tokens.did_key(pair["publicJwk"])
    claims = vc_claims(credential(make_credential, did))
    unsafe = "The badge is signed with a method that is not safe or not supported."

    # HS256 keyed with the issuer's public key: the classic confusion attack.
    hmac = jose_tokens.sign({"kty": "oct", "k": pair["publicJwk"]["x"]}, {"alg": "HS256"}, claims)
    assert unsafe in reasons(vc_jwt.verify_jwt(hmac, now=NOW))

    def encode(part: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    # alg none, with or without a signature part.
    assert unsafe in reasons(vc_jwt.verify_jwt(f"{encode({'alg': 'none'})}.{encode(claims)}.AAAA", now=NOW))
    assert vc_jwt.verify_jwt(f"{encode({'alg': 'none'})}.{encode(claims)}.", now=NOW).status == "invalid"
    with pytest.raises(vc_jwt.JwtFormatError):
        vc_jwt.decode(f"{encode({'alg': 'none'})}.{encode(claims)}.")

    # ES256 signature presented for an Ed25519 issuer.
    mismatched = jose_tokens.sign(jose_keys["ES256"]["privateJwk"], {"alg": "ES256"}, claims)
    assert "The badge's signing method does not match the issuer's key." in reasons(vc_jwt.verify_jwt(mismatched, now=NOW))


@pytest.mark.parametrize("text", [
    "a" * (vc_jwt.MAX_JWT_CHARS + 1),
    "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.AAAA",  # payload not JSON
    "eyJhbGciOiJFZERTQSJ9.e30.AAAA",  # no credential
    "one.two",
    "e30.e30.e30.e30",
])
def test_malformed_or_oversized_tokens_are_not_credentials(text):
    with pytest.raises(vc_jwt.JwtFormatError):
        vc_jwt.decode(text)
    assert not vc_jwt.is_credential_jwt(text)


def test_did_web_addresses():
    assert vc_jwt.did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert vc_jwt.did_web_url("did:web:example.com%3A8443:a:b") == "https://example.com:8443/a/b/did.json"
    with pytest.raises(ValueError):
        vc_jwt.did_web_url("did:web:evil.com%2F@10.0.0.1")
