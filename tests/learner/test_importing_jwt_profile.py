"""Importing credential JWTs whose issuer is an HTTPS site: its key comes from its Profile, and its
status list may itself be a JWT. Keys and tokens by npm `jose`, served by a local issuer site."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from backpack.credentials import issuer_keys, openbadge, status_list
from backpack.learner import badge_reading, importing
from backpack.web import outbound
from tests.credentials import jose_tokens

CHANGED = "The signature does not match: the badge was changed after it was signed."
NOT_REVOKED = "The issuer has not revoked this credential."


@pytest.fixture(scope="module")
def pairs():
    ours, other = jose_tokens.generate("EdDSA", "EdDSA")
    return {"ours": ours, "other": other}


def plain_http(url):
    """The test site speaks HTTP; everything else is the real guarded fetch."""
    return badge_reading.guarded_fetch(url.replace("https://", "http://"), accept=badge_reading.JSON_TYPES)


def https_base(site) -> str:
    return f"https://127.0.0.1:{site.server.server_address[1]}"


def profile(issuer_id: str, public_jwk: dict) -> dict:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": issuer_id, "type": ["Profile"],
            "name": "Northgate Academy",
            "verificationMethod": [{"id": f"{issuer_id}#key-1", "type": "JsonWebKey2020", "controller": issuer_id,
                                    "publicKeyJwk": public_jwk}],
            "assertionMethod": [f"{issuer_id}#key-1"]}


def credential(issuer_id: str, number: int = 1, **overrides) -> dict:
    return openbadge.build_credential(
        issuer=openbadge.Issuer(id=issuer_id, name="Northgate Academy", url="https://northgate.example"),
        achievement=openbadge.Achievement(
            id="https://northgate.example/achievements/first-aid", name="First aid at work",
            description="Gives first aid.", criteria="Passed the course.", image="https://northgate.example/a.png",
        ),
        valid_from="2025-01-01T00:00:00Z", subject_id="did:example:amina",
        credential_id=f"urn:uuid:5d1f3c2a-8e6b-4f1a-9c0d-2b7e4a9f6c3{number}", **overrides,
    )


def signed(pair: dict, issuer_id: str, *documents: dict) -> list[str]:
    """VC-JWTs of documents, with the kid naming the key in the issuer's Profile."""
    header = {"alg": "EdDSA", "typ": "JWT", "kid": f"{issuer_id}#key-1"}
    return jose_tokens.sign_all(pair["privateJwk"], [(header, jose_tokens.vc_jwt_claims(doc)) for doc in documents])


def failed(found) -> list[str]:
    return [item["reason"] for item in found.reasons if not item["passed"]]


def test_a_jwt_whose_key_is_in_the_issuers_profile_is_genuine(app, holder, pairs, site):
    issuer_id = f"{https_base(site)}/issuer"
    site.serve("/issuer", profile(issuer_id, pairs["ours"]["publicJwk"]))
    token, = signed(pairs["ours"], issuer_id, credential(issuer_id))

    outcome = importing.import_credential(holder, data=token.encode(), fetch=plain_http)
    assert outcome.credential.status == "valid", failed(outcome.credential)
    assert site.requests == ["/issuer"]


def test_the_wrong_key_in_the_profile_is_not_genuine_and_says_why(app, holder, pairs, site):
    issuer_id = f"{https_base(site)}/issuer"
    site.serve("/issuer", profile(issuer_id, pairs["other"]["publicJwk"]))
    token, = signed(pairs["ours"], issuer_id, credential(issuer_id))

    outcome = importing.import_credential(holder, data=token.encode(), fetch=plain_http)
    assert outcome.credential.status == "invalid"
    assert failed(outcome.credential) == [CHANGED]


def test_a_profile_at_a_private_address_is_refused_by_the_guard(app, holder, pairs, guard_refusals):
    issuer_id = "https://10.0.0.7/issuer"
    token, = signed(pairs["ours"], issuer_id, credential(issuer_id))
    outcome = importing.import_credential(holder, data=token.encode())
    assert outcome.credential.status == "invalid"
    assert failed(outcome.credential) == [issuer_keys.KEY_UNREACHABLE]
    assert guard_refusals == [(issuer_id, outbound.NOT_PUBLIC)]


def test_the_profile_is_kept_briefly_between_imports(app, holder, pairs, monkeypatch):
    issuer_id = "https://northgate.example/issuer"
    asked = []

    def guarded(url, **options):
        asked.append(url)
        return outbound.Fetched(url, 200, "application/json", json.dumps(
            profile(issuer_id, pairs["ours"]["publicJwk"])).encode())

    importing.clear_key_cache()
    monkeypatch.setattr(importing, "guarded_fetch", guarded)
    for token in signed(pairs["ours"], issuer_id, credential(issuer_id, 1), credential(issuer_id, 2)):
        assert importing.import_credential(holder, data=token.encode()).credential.status == "valid"
    assert asked == [issuer_id]
    importing.clear_key_cache()


def bitstring_list(issuer_id: str, url: str, *, revoked=(), valid_until: datetime | None = None) -> dict:
    bits = status_list.StatusList()
    for index in revoked:
        bits.set(index)
    until = (valid_until or datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return status_list.build_status_list_credential(list_url=url, issuer_id=issuer_id, status_list=bits,
                                                    valid_from="2025-01-01T00:00:00Z", valid_until=until)


def test_a_jwt_status_list_is_verified_then_read(app, holder, pairs, site):
    """Fresh, then revoked on a recheck; a tampered, lapsed or misaddressed list leaves the status unknown."""
    base = https_base(site)
    issuer_id, list_url = f"{base}/issuer", f"{base}/status/1"
    site.serve("/issuer", profile(issuer_id, pairs["ours"]["publicJwk"]))
    badge = credential(issuer_id, status=status_list.build_status_entry(list_url=list_url, index=3))
    token, fresh, revoked, lapsed, elsewhere = signed(
        pairs["ours"], issuer_id, badge,
        bitstring_list(issuer_id, list_url),
        bitstring_list(issuer_id, list_url, revoked=[3]),
        bitstring_list(issuer_id, list_url, valid_until=datetime.now(UTC) - timedelta(days=1)),
        bitstring_list(issuer_id, f"{base}/status/2", revoked=[3]),
    )
    site.serve("/status/1", fresh.encode(), media_type="application/vc+jwt")
    outcome = importing.import_credential(holder, data=token.encode(), fetch=plain_http)
    found = outcome.credential
    assert found.status == "valid", failed(found)
    assert NOT_REVOKED in [item["reason"] for item in found.reasons]

    site.serve("/status/1", revoked.encode())  # a compact JWS body, whatever its media type
    assert importing.recheck(found, fetch=plain_http).status == "revoked"
    assert importing.state(found) == "revoked"

    header, _payload, signature = revoked.split(".")
    _h, fresh_payload, _s = fresh.split(".")
    expected = {
        f"{header}.{fresh_payload}.{signature}": "The issuer's revocation list is not correctly signed.",
        lapsed: "The issuer's revocation list is out of date.",
        elsewhere: "The revocation list is for a different address than the one the credential names.",
    }
    for answer, reason in expected.items():
        site.serve("/status/1", answer.encode(), media_type="application/vc+jwt")
        result = importing.recheck(found, fetch=plain_http)
        assert (result.status, result.check("revocation").reason) == ("unknown-status", reason)
