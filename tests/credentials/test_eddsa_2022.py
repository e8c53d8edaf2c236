"""VC 1.1 Open Badges with a DataIntegrityProof of cryptosuite `eddsa-2022` (the draft name of
eddsa-rdfc-2022, used by credentials issued in 2023), signed at test time by Digital Bazaar's
libraries of that time (verifier/eddsa_2022.mjs), judged by our verifier, our import page and DB's own verify."""
import base64
import copy
import html
import json
import subprocess
from datetime import UTC, datetime

import pytest

from backpack.credentials import verify
from backpack.models import Role
from tests.credentials.jose_tokens import VERIFIER
from tests.learner.test_import_pages import post, rows

NOW = datetime(2025, 6, 1, tzinfo=UTC)
V1 = "https://www.w3.org/2018/credentials/v1"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DI_V1 = "https://w3id.org/security/data-integrity/v1"
SEED = bytes(range(32))
NOT_GENUINE = "The signature does not match the credential's content."


def run_db(job: dict) -> dict | list:
    done = subprocess.run(["node", "eddsa_2022.mjs"], cwd=VERIFIER, capture_output=True, text=True, timeout=60,
                          check=True, input=json.dumps(job))
    return json.loads(done.stdout)


def signed_by_db(*credentials: dict) -> list[dict]:
    """Sign with DB's eddsa-2022 cryptosuite, data-integrity 1 and jsonld-signatures 11."""
    job = {"command": "sign", "seed": base64.b64encode(SEED).decode(), "created": "2023-05-02T09:30:00Z",
           "credentials": list(credentials)}
    return run_db(job)["credentials"]


def verified_by_db(*credentials: dict) -> list[bool]:
    return [result["verified"] for result in run_db({"command": "verify", "credentials": list(credentials)})]


def badge(number: int = 1, **extra) -> dict:
    return {
        "@context": [V1, OB, DI_V1],
        "id": f"urn:uuid:5b0f3c2e-7a41-4c1d-9f3e-2d8a6b4c1e0{number}", "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "{{did}}", "type": ["Profile"], "name": "Harbour Adult School"},
        "issuanceDate": "2023-05-02T00:00:00Z", "name": "Food hygiene level 1",
        "credentialSubject": {"id": "did:example:amina", "type": ["AchievementSubject"],
                              "achievement": {"id": "https://harbour.example/a/7", "type": ["Achievement"],
                                              "name": "Food hygiene level 1", "description": "Handles food safely.",
                                              "criteria": {"narrative": "Passed the kitchen assessment."}}},
        **extra,
    }


@pytest.fixture(scope="module")
def genuine() -> dict:
    (credential,) = signed_by_db(badge())
    return credential


def failed(result) -> list[str]:
    return [check.reason for check in result.checks if not check.passed]


def tampered(credential: dict) -> dict:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Head chef"
    return changed


def test_an_eddsa_2022_badge_is_genuine_and_tampering_shows(genuine):
    assert genuine["@context"] == [V1, OB, DI_V1]
    assert (genuine["proof"]["type"], genuine["proof"]["cryptosuite"]) == ("DataIntegrityProof", "eddsa-2022")
    result = verify.verify_credential(genuine, now=NOW)
    assert result.status == "valid", failed(result)
    assert result.check("issuer").passed

    result = verify.verify_credential(tampered(genuine), now=NOW)
    assert result.status == "invalid" and NOT_GENUINE in failed(result)


def test_expiration_date_is_the_validity_of_an_eddsa_2022_badge():
    (credential,) = signed_by_db(badge(number=2, expirationDate="2024-05-02T00:00:00Z"))
    result = verify.verify_credential(credential, now=NOW)
    assert result.status == "expired"
    assert result.check("expiry").date == datetime(2024, 5, 2, tzinfo=UTC)


def _variants(credential: dict) -> dict[str, dict]:
    """The genuine credential and changes to its content, its proof options and its contexts."""
    def changed(change) -> dict:
        copied = copy.deepcopy(credential)
        change(copied)
        return copied

    return {
        "genuine": credential,
        "achievement renamed": tampered(credential),
        "issued on another day": changed(lambda c: c.update(issuanceDate="2023-01-01T00:00:00Z")),
        "proof dated otherwise": changed(lambda c: c["proof"].update(created="2023-05-03T09:30:00Z")),
        "proof made for authentication": changed(lambda c: c["proof"].update(proofPurpose="authentication")),
        "proof as a one-item array": changed(lambda c: c.update(proof=[c["proof"]])),
        # DB adds the Data Integrity context to the proof options when the document lost it.
        "Data Integrity context dropped": changed(lambda c: c.update({"@context": [V1, OB]})),
    }


def test_our_verifier_and_digital_bazaars_judge_every_variant_alike(genuine):
    variants = _variants(genuine)
    theirs = dict(zip(variants, verified_by_db(*variants.values()), strict=True))
    ours = {name: verify.verify_credential(credential, now=NOW).status == "valid" for name, credential in variants.items()}
    assert ours == theirs
    assert theirs["genuine"] and not theirs["achievement renamed"] and not theirs["proof dated otherwise"]


def test_the_import_page_keeps_a_genuine_badge_and_says_why_a_tampered_one_is_not(signed_in, genuine):
    amina = signed_in(Role.LEARNER, "Amina")
    response = post(amina, "/my/imported/new", pasted=json.dumps(genuine))
    assert response.status_code == 302
    page = amina.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="valid"' in page and "Food hygiene level 1" in page

    response = post(amina, "/my/imported/new", pasted=json.dumps(tampered(genuine)))
    assert response.status_code == 302
    page = amina.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="invalid"' in page and "Head chef" in page
    assert NOT_GENUINE in html.unescape(page)
    assert sorted(found.status for found in rows()) == ["invalid", "valid"]
