"""verify_credential: genuine, tampered, wrong key, expired, revoked and unknown status."""

import copy
from datetime import UTC, datetime

import pytest

from backpack.credentials import proof, status_list
from backpack.credentials.jsonld import UndefinedTermError
from backpack.credentials.verify import EXPIRED, INVALID, REVOKED, UNKNOWN_STATUS, VALID, verify_credential

from .conftest import AWKWARD_TEXT

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_genuine_credential_is_valid(make_credential, sign):
    result = verify_credential(sign(make_credential()), now=NOW)

    assert result.status == VALID and result.valid
    assert [check.name for check in result.checks] == [
        "format", "signature", "issuer", "valid-from", "expiry", "revocation"
    ]
    assert all(check.passed and check.reason.endswith(".") for check in result.checks)


def test_proof_is_an_array_and_the_older_object_form_still_verifies(make_credential, sign):
    """Credentials stored before proofs became arrays keep their object-form proof and stay valid."""
    signed = sign(make_credential())
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1

    older = {**signed, "proof": signed["proof"][0]}

    assert verify_credential(older, now=NOW).status == VALID
    tampered = copy.deepcopy(older)
    tampered["name"] = "Master welder"
    assert verify_credential(tampered, now=NOW).status == INVALID


def test_two_proofs_are_not_taken_for_one(make_credential, sign):
    signed = sign(make_credential())
    signed["proof"] = signed["proof"] * 2

    result = verify_credential(signed, now=NOW)

    assert result.status == INVALID
    assert "no single embedded proof" in result.check("signature").reason


def test_awkward_text_signs_and_verifies(make_credential, sign):
    signed = sign(make_credential(name=AWKWARD_TEXT, criteria=AWKWARD_TEXT))

    assert verify_credential(signed, now=NOW).status == VALID


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c.update(name="Master welder"),
        lambda c: c["credentialSubject"].update(id="did:example:someone-else"),
        lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="Nothing."),
        lambda c: c["issuer"].update(name="Another school"),
        lambda c: c.update(validFrom="2023-01-01T00:00:00Z"),
        lambda c: c["credentialSubject"]["achievement"]["tag"].append("extra"),
        lambda c: c["proof"][0].update(created="2024-02-02T00:00:00Z"),
    ],
)
def test_any_change_makes_it_invalid(make_credential, sign, tamper):
    signed = sign(make_credential())
    tamper(signed)

    result = verify_credential(signed, now=NOW)

    assert result.status == INVALID
    assert not result.check("signature").passed


def test_signature_by_another_key_is_invalid(make_credential, other_key):
    """The issuer id says one school, but a different key signed (and named itself)."""
    unsigned = make_credential()
    signed = proof.sign(unsigned, other_key, other_key.verification_method)

    result = verify_credential(signed, now=NOW)

    assert result.status == INVALID
    assert result.check("signature").passed
    assert not result.check("issuer").passed


def test_proof_naming_the_issuer_key_but_signed_by_another_is_invalid(make_credential, issuer_key, other_key):
    signed = proof.sign(make_credential(), other_key, issuer_key.verification_method)

    result = verify_credential(signed, now=NOW)

    assert result.status == INVALID
    assert not result.check("signature").passed


def test_expired_credential(make_credential, sign):
    signed = sign(make_credential(valid_until="2025-01-01T00:00:00Z"))

    result = verify_credential(signed, now=NOW)

    assert result.status == EXPIRED
    assert "expired" in result.check("expiry").reason


def test_not_yet_valid_credential_is_invalid(make_credential, sign):
    signed = sign(make_credential(valid_from="2026-01-01T00:00:00Z"))

    assert verify_credential(signed, now=NOW).status == INVALID


def with_status(make_credential, sign, url, index):
    entry = status_list.build_status_entry(list_url=url, index=index)
    return sign(make_credential(status=entry))


def test_revoked_credential(make_credential, sign, publish_status_list, status_server):
    url = publish_status_list("/status/verify-revoked", revoked=[3])

    revoked = verify_credential(
        with_status(make_credential, sign, url, 3), fetch_status_list=status_server.fetch, now=NOW
    )
    kept = verify_credential(
        with_status(make_credential, sign, url, 4), fetch_status_list=status_server.fetch, now=NOW
    )

    assert revoked.status == REVOKED
    assert revoked.check("revocation").reason == "The issuer has revoked this credential."
    assert kept.status == VALID


def test_revoked_wins_over_expired(make_credential, sign, publish_status_list, status_server):
    url = publish_status_list("/status/verify-revoked-expired", revoked=[1])
    entry = status_list.build_status_entry(list_url=url, index=1)
    signed = sign(make_credential(status=entry, valid_until="2025-01-01T00:00:00Z"))

    assert verify_credential(signed, fetch_status_list=status_server.fetch, now=NOW).status == REVOKED


def test_status_unknown_without_a_fetcher_or_when_fetching_fails(make_credential, sign):
    signed = with_status(make_credential, sign, "https://riverside.example/status/9", 1)

    def failing(url):
        raise OSError("offline")

    assert verify_credential(signed, now=NOW).status == UNKNOWN_STATUS
    assert verify_credential(signed, fetch_status_list=failing, now=NOW).status == UNKNOWN_STATUS


def test_status_list_from_another_issuer_is_not_trusted(
    make_credential, sign, publish_status_list, status_server, other_key
):
    url = publish_status_list("/status/verify-other-issuer", revoked=[], key=other_key)

    result = verify_credential(
        with_status(make_credential, sign, url, 2), fetch_status_list=status_server.fetch, now=NOW
    )

    assert result.status == UNKNOWN_STATUS


def test_tampered_status_list_is_not_trusted(make_credential, sign, publish_status_list, status_server):
    url = publish_status_list("/status/verify-tampered", revoked=[5])
    forged = status_server.fetch(url)
    forged["credentialSubject"]["encodedList"] = status_list.StatusList().encode()

    result = verify_credential(
        with_status(make_credential, sign, url, 5), fetch_status_list=lambda _: forged, now=NOW
    )

    assert result.status == UNKNOWN_STATUS


def test_undefined_property_is_refused_at_signing_and_verification(make_credential, sign):
    unsigned = make_credential()
    unsigned["favouriteColour"] = "blue"

    with pytest.raises(UndefinedTermError):
        sign(unsigned)

    signed = sign(make_credential())
    signed["credentialSubject"]["favouriteColour"] = "blue"
    result = verify_credential(signed, now=NOW)
    assert result.status == INVALID
    assert "does not define" in result.check("signature").reason


@pytest.mark.parametrize(
    ("change", "reason_word"),
    [
        (lambda c: c.pop("proof"), "not signed"),
        (lambda c: c.pop("id"), "identifier"),
        (lambda c: c.update(type=["VerifiableCredential"]), "Open Badges"),
        (lambda c: c.update(validFrom="yesterday"), "dates"),
        (lambda c: c["credentialSubject"].pop("achievement"), "achievement"),
    ],
)
def test_malformed_credentials_are_invalid(make_credential, sign, change, reason_word):
    signed = copy.deepcopy(sign(make_credential()))
    change(signed)

    result = verify_credential(signed, now=NOW)

    assert result.status == INVALID
    assert reason_word in result.checks[0].reason


def test_wrong_cryptosuite_is_invalid(make_credential, sign):
    signed = sign(make_credential())
    signed["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"

    assert verify_credential(signed, now=NOW).status == INVALID


def test_sign_refuses_an_already_signed_document(make_credential, sign):
    with pytest.raises(proof.ProofError):
        sign(sign(make_credential()))


def test_sign_refuses_text_that_javascript_verifiers_would_order_differently(make_credential, sign):
    """RDFC-1.0 sorts by code point, JavaScript by UTF-16 unit: '😀' and '！' compare differently."""
    achievement = make_credential()["credentialSubject"]["achievement"]
    achievement["tag"] = ["好！", "好😀"]
    unsigned = make_credential()
    unsigned["credentialSubject"]["achievement"] = achievement

    with pytest.raises(proof.ProofError):
        sign(unsigned)
    achievement["tag"] = ["好", "好😀"]
    assert verify_credential(sign(unsigned), now=NOW).status == VALID
