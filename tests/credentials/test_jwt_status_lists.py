"""Status lists secured as JWTs (VC-JWT `vc` claim or VC-JOSE payload), signed by npm `jose`.

A list that answers as a JWT is verified as one, with the credential's issuer's keys, and then
checked exactly as a Data Integrity list is: its address, purpose, issuer and freshness
(validUntil, or the token's exp). Anything doubtful leaves the status unknown, never valid.
"""
import base64
import json
from datetime import UTC, datetime

import pytest

from backpack.credentials import status_list, vc_jwt
from backpack.credentials.verify import REVOKED, UNKNOWN_STATUS, VALID, verify_credential
from tests.credentials import jose_tokens

LIST_URL = "https://riverside.example/status/1"
INDEX = 7
DAY_ONE, DAY_TWO = "2024-06-01T00:00:00Z", "2024-06-02T00:00:00Z"
ON_DAY_ONE = datetime(2024, 6, 1, 12, tzinfo=UTC)
ON_DAY_THREE = datetime(2024, 6, 3, 12, tzinfo=UTC)
DAY_TWO_EXP = int(datetime(2024, 6, 2, tzinfo=UTC).timestamp())
NOT_SIGNED = "The issuer's revocation list is not correctly signed."


@pytest.fixture(scope="module")
def jose_keys():
    ours, other = jose_tokens.generate("EdDSA", "EdDSA")
    return {"ours": ours, "other": other}


def did_of(pair: dict) -> str:
    return jose_tokens.did_key(pair["publicJwk"])


def bitstring_list(issuer: str, *, revoked=(), url=LIST_URL, valid_until=DAY_TWO, purpose=status_list.REVOCATION):
    bits = status_list.StatusList()
    for index in revoked:
        bits.set(index)
    return status_list.build_status_list_credential(list_url=url, issuer_id=issuer, status_list=bits,
                                                    valid_from=DAY_ONE, valid_until=valid_until, purpose=purpose)


def as_vc_jwt(pair: dict, document: dict, **claims) -> str:
    return jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "typ": "JWT"}, jose_tokens.vc_jwt_claims(document, **claims))


def badge_jwt(pair: dict, make_credential, status: dict) -> str:
    from backpack.credentials import openbadge

    did = did_of(pair)
    document = make_credential(
        issuer=openbadge.Issuer(id=did, name="Riverside Training Centre", url="https://riverside.example"),
        credential_id="urn:uuid:2b0c3a36-5f0e-4d55-8f1c-7d8a3b1f0e11", status=status,
    )
    return as_vc_jwt(pair, document)


def reasons(result) -> list[str]:
    return [check.reason for check in result.checks if not check.passed]


def check(token: str, answer: str, now=ON_DAY_ONE):
    """Verify the badge JWT, the list URL answering with `answer` (a JWT's text)."""
    asked = []

    def fetch(url):
        asked.append(url)
        return answer

    result = vc_jwt.verify_jwt(token, fetch_status_list=fetch, now=now)
    assert asked == [LIST_URL]
    return result


@pytest.fixture(scope="module")
def badge(jose_keys, make_credential):
    return badge_jwt(jose_keys["ours"], make_credential, status_list.build_status_entry(list_url=LIST_URL, index=INDEX))


def test_a_jwt_list_without_the_bit_set_leaves_the_badge_genuine(badge, jose_keys):
    result = check(badge, as_vc_jwt(jose_keys["ours"], bitstring_list(did_of(jose_keys["ours"]))))
    assert result.status == VALID, reasons(result)
    assert result.check("revocation").reason == "The issuer has not revoked this credential."


def test_a_vc_jose_list_with_the_bit_set_revokes_the_badge(badge, jose_keys):
    pair = jose_keys["ours"]
    enveloped = jose_tokens.sign(pair["privateJwk"], {"alg": "EdDSA", "typ": "vc+jwt"},
                                 bitstring_list(did_of(pair), revoked=[INDEX]))
    result = check(badge, enveloped)
    assert result.status == REVOKED
    assert reasons(result) == ["The issuer has revoked this credential."]


def test_a_tampered_jwt_list_leaves_the_status_unknown(badge, jose_keys):
    pair = jose_keys["ours"]
    header, payload, signature = as_vc_jwt(pair, bitstring_list(did_of(pair), revoked=[INDEX])).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["vc"]["credentialSubject"]["encodedList"] = status_list.StatusList().encode()  # hide the revocation
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = check(badge, f"{header}.{forged}.{signature}")
    assert result.status == UNKNOWN_STATUS
    assert reasons(result) == [NOT_SIGNED]


@pytest.mark.parametrize("lapse", ["validUntil", "exp"])
def test_a_lapsed_jwt_list_leaves_the_status_unknown(badge, jose_keys, lapse):
    pair = jose_keys["ours"]
    document = bitstring_list(did_of(pair), valid_until=DAY_TWO if lapse == "validUntil" else None)
    token = as_vc_jwt(pair, document, **({"exp": DAY_TWO_EXP} if lapse == "exp" else {}))
    assert check(badge, token).status == VALID  # fresh on day one
    result = check(badge, token, now=ON_DAY_THREE)
    assert result.status == UNKNOWN_STATUS
    assert reasons(result) == ["The issuer's revocation list is out of date."]


def test_jwt_lists_for_another_address_issuer_or_purpose_are_refused(badge, jose_keys):
    ours, other = jose_keys["ours"], jose_keys["other"]
    did = did_of(ours)
    cases = {
        "The revocation list is for a different address than the one the credential names.":
            as_vc_jwt(ours, bitstring_list(did, revoked=[INDEX], url="https://riverside.example/status/2")),
        "The revocation list was not published by the credential's issuer.":
            as_vc_jwt(other, bitstring_list(did_of(other))),
        "The issuer's list is for a different purpose, not for revocation.":
            as_vc_jwt(ours, bitstring_list(did, purpose="suspension")),
        NOT_SIGNED: as_vc_jwt(other, bitstring_list(did)),  # names our issuer, signed by another key
        "The revocation list was not signed with the issuer's own key.": jose_tokens.sign(
            other["privateJwk"], {"alg": "EdDSA", "kid": f"{did_of(other)}#key"},
            jose_tokens.vc_jwt_claims(bitstring_list(did))),
    }
    for reason, token in cases.items():
        result = check(badge, token)
        assert (result.status, reasons(result)) == (UNKNOWN_STATUS, [reason])


def test_a_1edtech_revocation_list_as_a_jwt(jose_keys, make_credential):
    pair = jose_keys["ours"]
    entry = {"id": LIST_URL, "type": "1EdTechRevocationList"}
    token = badge_jwt(pair, make_credential, entry)
    credential_id = vc_jwt.decode(token).credential["id"]
    revocation_list = {"id": LIST_URL, "issuer": did_of(pair), "revokedCredentials": [{"id": credential_id}]}
    signed, stranger, lapsed = jose_tokens.sign_all(pair["privateJwk"], [
        ({"alg": "EdDSA"}, revocation_list),
        ({"alg": "EdDSA"}, {**revocation_list, "issuer": "did:example:x"}),
        ({"alg": "EdDSA"}, {**revocation_list, "revokedCredentials": [], "exp": DAY_TWO_EXP}),
    ])
    assert check(token, signed).status == REVOKED
    assert check(token, lapsed).status == VALID
    result = check(token, lapsed, now=ON_DAY_THREE)  # a saved copy replayed after its exp
    assert (result.status, reasons(result)) == (UNKNOWN_STATUS, ["The issuer's revocation list is out of date."])

    header, _payload, signature = signed.split(".")
    emptied = base64.urlsafe_b64encode(json.dumps({**revocation_list, "revokedCredentials": []}).encode())
    result = check(token, f"{header}.{emptied.rstrip(b'=').decode()}.{signature}")
    assert (result.status, reasons(result)) == (UNKNOWN_STATUS, [NOT_SIGNED])
    result = check(token, stranger)
    assert reasons(result) == ["The revocation list was not published by the credential's issuer."]


def test_a_data_integrity_badge_whose_list_is_a_jwt(make_credential, sign, issuer_key):
    """Our own Ed25519 issuer key, as a JWK for jose: the badge has a Data Integrity proof, its list a JWT."""
    seed = base64.urlsafe_b64encode(issuer_key.seed).rstrip(b"=").decode()
    public = base64.urlsafe_b64encode(issuer_key.public_key.public_bytes_raw()).rstrip(b"=").decode()
    private_jwk = {"kty": "OKP", "crv": "Ed25519", "x": public, "d": seed}
    badge = sign(make_credential(status=status_list.build_status_entry(list_url=LIST_URL, index=INDEX)))
    fresh, revoked = jose_tokens.sign_all(private_jwk, [
        ({"alg": "EdDSA"}, jose_tokens.vc_jwt_claims(bitstring_list(issuer_key.did))),
        ({"alg": "EdDSA"}, jose_tokens.vc_jwt_claims(bitstring_list(issuer_key.did, revoked=[INDEX]))),
    ])
    opener = vc_jwt.status_list_opener(None)

    def verify(answer, **options):
        return verify_credential(badge, fetch_status_list=lambda url: answer, now=ON_DAY_ONE, **options)

    assert verify(fresh, open_jwt_list=opener).status == VALID
    assert verify(revoked, open_jwt_list=opener).status == REVOKED
    unread = verify(revoked)  # a verifier given no way to check JWTs says so
    assert (unread.status, reasons(unread)) == (
        UNKNOWN_STATUS, ["The issuer's revocation list is signed in a form this verifier cannot check."])
