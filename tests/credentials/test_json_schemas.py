"""Credentials signed here validate against 1EdTech's published OB 3.0 JSON Schemas, both forms."""

import copy

import pytest

from backpack.credentials import openbadge, status_list
from tests.support.ob_schemas import ACHIEVEMENT_CREDENTIAL, credential_errors, load, profile_errors, proof_errors

from .conftest import AWKWARD_TEXT
from .test_openbadge import full_credential


def test_the_vendored_schemas_are_the_published_vc2_forms():
    """Guard against vendoring a VC 1.1-era build of the same file by mistake."""
    for form, name in ACHIEVEMENT_CREDENTIAL.items():
        schema = load(name)
        assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09/schema")
        assert f"/schema/{form}/" in schema["$id"]
        assert "validFrom" in schema["required"] and "issuanceDate" not in schema["properties"]
        assert schema["properties"]["proof"]["type"] == "array"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"name": AWKWARD_TEXT, "criteria": AWKWARD_TEXT},
        {"valid_until": "2030-01-01T00:00:00Z"},
        {"evidence": [openbadge.Evidence(id="https://example.org/e/1", narrative="Line one\nline two")]},
        {"status": status_list.build_status_entry(list_url="https://riverside.example/status/1", index=3)},
        {
            "subject_id": None,
            "identifier": [openbadge.hashed_email_identifier("learner@example.org", "pepper")],
        },
    ],
    ids=["plain", "awkward text", "expiry", "evidence", "status", "identifier only"],
)
def test_signed_credentials_validate(make_credential, sign, overrides):
    signed = sign(make_credential(**overrides))

    assert credential_errors(signed) == []
    assert profile_errors(signed["issuer"]) == []


def test_a_credential_with_every_optional_part_validates(issuer_key, sign):
    signed = sign(full_credential(issuer_key))

    assert credential_errors(signed) == []
    assert profile_errors(signed["issuer"]) == []


def test_the_schemas_catch_what_they_should(make_credential, sign):
    """The checks are live: an object-form proof (what was issued before) and a missing date fail."""
    signed = sign(make_credential())
    older = {**signed, "proof": signed["proof"][0]}
    undated = copy.deepcopy(signed)
    del undated["validFrom"]

    assert any(error.startswith("json: proof") for error in credential_errors(older))
    assert any(error.startswith("json-ld: proof") for error in credential_errors(older))
    assert any("validFrom" in error for error in credential_errors(undated))
    assert profile_errors({"id": "did:example:x"}) != []


def test_status_list_proof_has_the_schema_proof_shape(issuer_key, sign):
    unsigned = status_list.build_status_list_credential(
        list_url="https://riverside.example/status/1",
        issuer_id=issuer_key.did,
        status_list=status_list.StatusList(),
        valid_from="2024-01-01T00:00:00Z",
    )

    assert proof_errors(sign(unsigned)["proof"]) == []
