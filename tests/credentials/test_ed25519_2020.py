"""VC 1.1 Open Badges signed with Ed25519Signature2020 by the DCC libraries (sign_2020.mjs),
with issuanceDate/expirationDate, and their Status List 2021 and 1EdTech revocation lists."""
import base64
import copy
import gzip
import json
import subprocess
from datetime import UTC, datetime

from backpack.credentials import verify
from tests.credentials.jose_tokens import VERIFIER

NOW = datetime(2025, 6, 1, tzinfo=UTC)
V1 = "https://www.w3.org/2018/credentials/v1"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ED2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
SL2021 = "https://w3id.org/vc/status-list/2021/v1"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
LIST_URL = "https://oldmill.example/status/3"
REVOCATIONS_URL = "https://oldmill.example/revocations"


def run_dcc(*credentials: dict, seed: bytes = bytes(range(32)), controller: str | None = None) -> dict:
    """Sign with the DCC's Ed25519Signature2020 suite; return did, keyId, publicKeyMultibase and credentials."""
    job = {"seed": base64.b64encode(seed).decode(), "credentials": list(credentials)}
    if controller:
        job["controller"] = controller
    done = subprocess.run(["node", "sign_2020.mjs"], cwd=VERIFIER, capture_output=True, text=True, timeout=60,
                          check=True, input=json.dumps(job))
    return json.loads(done.stdout)


def signed_by_dcc(*credentials: dict, seed: bytes = bytes(range(32))) -> list[dict]:
    return run_dcc(*credentials, seed=seed)["credentials"]


def badge(*contexts: str, number: int = 1, **extra) -> dict:
    return {
        "@context": [V1, OB, ED2020, *contexts],
        "id": f"urn:uuid:1c0a3a52-5d43-4f0e-bb3b-6a2b5f8e9d1{number}", "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "{{did}}", "type": ["Profile"], "name": "Old Mill College"},
        "issuanceDate": "2024-02-01T00:00:00Z", "name": "Carpentry basics",
        "credentialSubject": {"id": "did:example:amina", "type": ["AchievementSubject"],
                              "achievement": {"id": "https://oldmill.example/a/1", "type": ["Achievement"],
                                              "name": "Carpentry basics", "description": "Cuts and joins wood.",
                                              "criteria": {"narrative": "Made a box."}}},
        **extra,
    }


def status_list_2021(revoked: set[int], **extra) -> dict:
    bits = bytearray(16 * 1024)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode().rstrip("=")
    return {"@context": [V1, SL2021, ED2020], "id": LIST_URL, "type": ["VerifiableCredential", "StatusList2021Credential"],
            "issuer": "{{did}}", "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": LIST_URL + "#list", "type": "StatusList2021", "statusPurpose": "revocation",
                                  "encodedList": encoded}, **extra}


def entry(index: int) -> dict:
    return {"id": f"{LIST_URL}#{index}", "type": "StatusList2021Entry", "statusPurpose": "revocation",
            "statusListIndex": str(index), "statusListCredential": LIST_URL}


def failed(result) -> list[str]:
    return [check.reason for check in result.checks if not check.passed]


def test_an_ed25519_signature_2020_badge_is_genuine_and_tampering_shows():
    (credential,) = signed_by_dcc(badge())
    assert credential["proof"]["type"] == "Ed25519Signature2020"
    assert verify.verify_credential(credential, now=NOW).status == "valid"

    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Master carpenter"
    result = verify.verify_credential(changed, now=NOW)
    assert result.status == "invalid" and "The signature does not match the credential's content." in failed(result)


def test_expiration_date_is_the_validity_of_a_vc_1_1_badge():
    (credential,) = signed_by_dcc(badge(expirationDate="2025-01-01T00:00:00Z"))
    result = verify.verify_credential(credential, now=NOW)
    assert result.status == "expired"
    assert result.check("expiry").date == datetime(2025, 1, 1, tzinfo=UTC)


def test_a_status_list_2021_entry_reads_the_issuers_signed_list():
    kept, revoked, status = signed_by_dcc(
        badge(SL2021, number=1, credentialStatus=entry(5)), badge(SL2021, number=2, credentialStatus=entry(7)),
        status_list_2021({7}),
    )
    assert verify.verify_credential(kept, fetch_status_list=lambda url: status, now=NOW).status == "valid"
    result = verify.verify_credential(revoked, fetch_status_list=lambda url: status, now=NOW)
    assert result.status == "revoked" and "The issuer has revoked this credential." in failed(result)


def test_a_status_list_2021_from_another_address_or_issuer_is_not_trusted():
    (credential, moved) = signed_by_dcc(badge(SL2021, credentialStatus=entry(7)), status_list_2021({7}, id=LIST_URL + "x"))
    result = verify.verify_credential(credential, fetch_status_list=lambda url: moved, now=NOW)
    assert result.status == "unknown-status"
    assert "The revocation list is for a different address than the one the credential names." in failed(result)

    (others,) = signed_by_dcc(status_list_2021({7}), seed=bytes(32))
    result = verify.verify_credential(credential, fetch_status_list=lambda url: others, now=NOW)
    assert result.status == "unknown-status"
    assert "The revocation list was not published by the credential's issuer." in failed(result)


def test_a_1edtech_revocation_list():
    status = {"id": REVOCATIONS_URL, "type": "1EdTechRevocationList"}
    (credential,) = signed_by_dcc(badge(EXTENSIONS, credentialStatus=status))
    issuer = credential["issuer"]["id"]
    listed = {"id": REVOCATIONS_URL, "issuer": issuer, "revokedCredentials": [{"id": credential["id"], "revocationReason": "x"}]}
    asked = []

    def fetch(url):
        asked.append(url)
        return listed

    result = verify.verify_credential(credential, fetch_status_list=fetch, now=NOW)
    assert (result.status, asked) == ("revoked", [REVOCATIONS_URL])
    clean = dict(listed, revokedCredentials=[{"id": "urn:uuid:someone-else"}])
    assert verify.verify_credential(credential, fetch_status_list=lambda url: clean, now=NOW).status == "valid"
    elsewhere = dict(clean, id="https://evil.example/list")
    assert "The revocation list is for a different address than the one the credential names." in failed(
        verify.verify_credential(credential, fetch_status_list=lambda url: elsewhere, now=NOW))
    foreign = dict(clean, issuer="did:key:z6MkSomeoneElse")
    assert "The revocation list was not published by the credential's issuer." in failed(
        verify.verify_credential(credential, fetch_status_list=lambda url: foreign, now=NOW))
