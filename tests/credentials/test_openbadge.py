"""OpenBadgeCredential documents shaped as DESIGN.md section 5 describes."""

import pytest

from backpack.credentials import openbadge, status_list
from backpack.credentials.jsonld import canonicalize


def full_credential(key):
    return openbadge.build_credential(
        issuer=openbadge.Issuer(
            id=key.did,
            name="Riverside Training Centre",
            url="https://riverside.example",
            email="badges@riverside.example",
            image="https://riverside.example/logo.png",
        ),
        achievement=openbadge.Achievement(
            id="https://riverside.example/achievements/welding",
            name="Safe welding",
            description="Welds safely in the workshop.",
            criteria="Weld a joint that passes inspection.",
            image="https://riverside.example/badges/welding.png",
            image_caption="A welding torch",
            alignments=[
                openbadge.Alignment(
                    "Welding safety", "https://skills.example/weld-1", "Skills Framework", "W1", "Safe practice"
                )
            ],
            tags=["welding", "safety"],
            language="en",
        ),
        valid_from="2024-01-01T00:00:00Z",
        valid_until="2027-01-01T00:00:00Z",
        identifier=[openbadge.hashed_email_identifier("Learner@Example.org ", "pepper")],
        evidence=[openbadge.Evidence(id="https://riverside.example/evidence/1", name="Photo", narrative="Weld")],
        status=status_list.build_status_entry(list_url="https://riverside.example/status/1", index=12),
        credential_id="urn:uuid:0b9a4c1e-2f5d-4c7a-9a43-6b1d2e3f4a5b",
    )


def test_credential_has_the_required_open_badges_shape(issuer_key):
    credential = full_credential(issuer_key)

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    assert credential["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["name"] == credential["credentialSubject"]["achievement"]["name"]
    assert credential["description"] == credential["credentialSubject"]["achievement"]["description"]
    assert credential["id"] == "urn:uuid:0b9a4c1e-2f5d-4c7a-9a43-6b1d2e3f4a5b"
    assert credential["issuer"]["id"] == issuer_key.did
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["image"] == {"id": "https://riverside.example/logo.png", "type": "Image"}
    assert credential["validFrom"] == "2024-01-01T00:00:00Z"
    assert credential["validUntil"] == "2027-01-01T00:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"] == {"narrative": "Weld a joint that passes inspection."}
    assert achievement["image"]["type"] == "Image"
    assert achievement["alignment"][0] == {
        "type": ["Alignment"],
        "targetName": "Welding safety",
        "targetUrl": "https://skills.example/weld-1",
        "targetFramework": "Skills Framework",
        "targetCode": "W1",
        "targetDescription": "Safe practice",
    }
    assert achievement["tag"] == ["welding", "safety"]
    assert credential["evidence"][0]["type"] == ["Evidence"]
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"


def test_every_field_is_defined_by_the_contexts(issuer_key):
    canonical = canonicalize(full_credential(issuer_key))

    assert "Riverside Training Centre" in canonical
    assert "sha256$" in canonical
    # The schema entry is signed too: its type expands through the OB extensions context.
    assert "<https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019>" in canonical


def test_hashed_email_identifier_normalises_the_address():
    identity = openbadge.hashed_email_identifier("Learner@Example.org ", "pepper")

    assert identity == openbadge.hashed_email_identifier("learner@example.org", "pepper")
    assert identity["identityHash"].startswith("sha256$") and identity["hashed"] is True


def test_optional_fields_are_left_out(make_credential):
    credential = make_credential()

    assert "validUntil" not in credential and "evidence" not in credential
    assert "credentialStatus" not in credential
    assert credential["id"].startswith("urn:uuid:")
    assert credential["credentialSubject"]["id"] == "did:example:learner-1"


def test_subject_needs_an_id_or_identifier(make_credential):
    with pytest.raises(ValueError):
        make_credential(subject_id=None)
