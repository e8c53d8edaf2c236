"""Keys of HTTPS issuers for credential JWTs (OB 3.0 §8.2.6, §8.5): the JOSE header's `kid` URL on the
issuer's own site, the issuer's Profile, or a `jwk` header the issuer publishes. Tokens and keys by npm `jose`."""
from datetime import UTC, datetime

import pytest

from backpack.credentials import issuer_keys, openbadge, vc_jwt
from tests.credentials import jose_tokens

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUER = "https://riverside.example/issuer"
KEY_ID = f"{ISSUER}#key-1"
CHANGED = "The signature does not match: the badge was changed after it was signed."


@pytest.fixture(scope="module")
def jose_keys():
    ed, rsa, other = jose_tokens.generate("EdDSA", "RS256", "EdDSA")
    return {"EdDSA": ed, "RS256": rsa, "other": other}


@pytest.fixture
def document(make_credential) -> dict:
    return make_credential(
        issuer=openbadge.Issuer(id=ISSUER, name="Riverside Training Centre", url="https://riverside.example"),
        credential_id="urn:uuid:6a4e2f9e-1b1e-4f7e-9e35-3c3f1d0a7b22",
    )


def profile(*methods: dict, **more) -> dict:
    """The issuer's OB 3.0 Profile at its id, listing its keys as verification methods."""
    return {"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": ISSUER, "type": ["Profile"], "name": "Riverside Training Centre",
            "verificationMethod": list(methods), **more}


def method(public_jwk: dict, key_id: str = KEY_ID, controller: str = ISSUER) -> dict:
    return {"id": key_id, "type": "JsonWebKey2020", "controller": controller, "publicKeyJwk": public_jwk}


def site(pages: dict):
    """A fetcher answering from pages by URL (a missing page fails, as an unreachable one does); it records each ask."""
    asked = []

    def fetch(url):
        asked.append(url)
        return pages[url]

    fetch.asked = asked
    return fetch


def reasons(result) -> list[str]:
    return [check.reason for check in result.checks if not check.passed]


@pytest.mark.parametrize("kid", [KEY_ID, "#key-1", None])
def test_a_key_listed_in_the_issuers_profile_verifies_the_badge(document, jose_keys, kid):
    pair = jose_keys["EdDSA"]
    header = {"alg": "EdDSA", "typ": "JWT"} | ({"kid": kid} if kid else {})
    token = jose_tokens.sign(pair["privateJwk"], header, jose_tokens.vc_jwt_claims(document))
    fetch = site({ISSUER: profile(method(pair["publicJwk"]))})

    result = vc_jwt.verify_jwt(token, fetch_document=fetch, now=NOW)
    assert result.status == "valid", reasons(result)
    assert result.check("issuer").reason == "The credential was signed with the issuer's own key."
    assert fetch.asked == [ISSUER]


def test_the_wrong_key_in_the_profile_makes_the_badge_not_genuine(document, jose_keys):
    token = jose_tokens.sign(jose_keys["EdDSA"]["privateJwk"], {"alg": "EdDSA", "kid": KEY_ID},
                             jose_tokens.vc_jwt_claims(document))
    result = vc_jwt.verify_jwt(token, fetch_document=site({ISSUER: profile(method(jose_keys["other"]["publicJwk"]))}),
                               now=NOW)
    assert result.status == "invalid"
    assert reasons(result) == [CHANGED]


def test_a_profile_vouches_only_for_its_own_assertion_keys(document, jose_keys):
    pair = jose_keys["EdDSA"]
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "kid": KEY_ID}, jose_tokens.vc_jwt_claims(document))
    cases = [
        profile(method(pair["publicJwk"]), assertionMethod=[f"{ISSUER}#key-2"]),  # listed for other uses only
        profile(method(pair["publicJwk"], controller="https://evil.example/issuer")),  # controlled by someone else
        {**profile(method(pair["publicJwk"])), "id": "https://evil.example/issuer"},  # another issuer's profile
    ]
    for answer in cases:
        result = vc_jwt.verify_jwt(token, fetch_document=site({ISSUER: answer}), now=NOW)
        assert result.status == "invalid"
        assert reasons(result) == [issuer_keys.UNKNOWN_KEY]


def test_an_ob2_style_public_key_document_named_by_kid(document, jose_keys):
    """A kid URL that dereferences to a CryptographicKey the issuer owns, with its key as PEM (RS256)."""
    pair = jose_keys["RS256"]
    kid = "https://riverside.example/keys/1"
    key_document = {"@context": "https://w3id.org/openbadges/v2", "id": kid, "type": "CryptographicKey",
                    "owner": ISSUER, "publicKeyPem": pair["publicPem"]}
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "RS256", "kid": kid}, jose_tokens.vc_jwt_claims(document))

    fetch = site({kid: key_document})
    assert vc_jwt.verify_jwt(token, fetch_document=fetch, now=NOW).status == "valid"
    assert fetch.asked == [kid]

    someone_elses = site({kid: {**key_document, "owner": "https://evil.example/issuer"}})
    assert reasons(vc_jwt.verify_jwt(token, fetch_document=someone_elses, now=NOW)) == [issuer_keys.NOT_ISSUERS]


def test_a_kid_url_answering_a_bare_jwk_or_a_jwks(document, jose_keys):
    pair = jose_keys["EdDSA"]
    claims = jose_tokens.vc_jwt_claims(document)
    bare, in_set = jose_tokens.sign_all(pair["privateJwk"], [
        ({"alg": "EdDSA", "kid": "https://riverside.example/keys/ed.json"}, claims),
        ({"alg": "EdDSA", "kid": "https://riverside.example/keys.json#ed-1"}, claims),
    ])
    fetch = site({"https://riverside.example/keys/ed.json": pair["publicJwk"],
                  "https://riverside.example/keys.json": {"keys": [{**pair["publicJwk"], "kid": "ed-1"}]}})
    assert vc_jwt.verify_jwt(bare, fetch_document=fetch, now=NOW).status == "valid"
    assert vc_jwt.verify_jwt(in_set, fetch_document=fetch, now=NOW).status == "valid"


def test_a_kid_on_another_website_is_never_fetched(document, jose_keys):
    pair = jose_keys["other"]
    token = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "kid": "https://evil.example/keys/1"},
                             jose_tokens.vc_jwt_claims(document))
    fetch = site({"https://evil.example/keys/1": pair["publicJwk"]})
    result = vc_jwt.verify_jwt(token, fetch_document=fetch, now=NOW)
    assert reasons(result) == [issuer_keys.NOT_ISSUERS]
    assert fetch.asked == []


def test_a_jwk_header_only_picks_one_of_the_issuers_keys(document, jose_keys):
    """§8.2.3 lets the header carry the key; a key anyone could write there counts only if the issuer lists it."""
    ours, other = jose_keys["EdDSA"], jose_keys["other"]
    claims = jose_tokens.vc_jwt_claims(document)
    fetch = site({ISSUER: profile(method(ours["publicJwk"]), method(other["publicJwk"], f"{ISSUER}#key-2"))})
    token = jose_tokens.sign(ours["privateJwk"], {"alg": "EdDSA", "jwk": ours["publicJwk"]}, claims)
    assert vc_jwt.verify_jwt(token, fetch_document=fetch, now=NOW).status == "valid"

    stranger = jose_tokens.generate("EdDSA")[0]
    forged = jose_tokens.sign(stranger["privateJwk"], {"alg": "EdDSA", "jwk": stranger["publicJwk"]}, claims)
    assert reasons(vc_jwt.verify_jwt(forged, fetch_document=fetch, now=NOW)) == [issuer_keys.NOT_ISSUERS]

    leaked = jose_tokens.sign(ours["privateJwk"], {"alg": "EdDSA", "jwk": ours["privateJwk"]}, claims)
    assert reasons(vc_jwt.verify_jwt(leaked, fetch_document=fetch, now=NOW)) == [issuer_keys.UNREADABLE]


def test_without_profile_or_jwks_the_key_cannot_be_fetched(document, jose_keys):
    token = jose_tokens.sign(jose_keys["EdDSA"]["privateJwk"], {"alg": "EdDSA"}, jose_tokens.vc_jwt_claims(document))
    fetch = site({})
    result = vc_jwt.verify_jwt(token, fetch_document=fetch, now=NOW)
    assert reasons(result) == [issuer_keys.KEY_UNREACHABLE]
    assert fetch.asked == [ISSUER, f"{ISSUER}/.well-known/jwks.json"]
