"""Open Badges 3.0 credentials signed at test time by Digital Bazaar's stack (another implementation).

tests/credentials/verifier/sign_db.mjs issues with `vc`, a DataIntegrityProof with eddsa-rdfc-2022
under a did:key made from SEED, and signs BitstringStatusList credentials the same way.
"""
import base64
import json
import subprocess

from tests.support.verifier_core import VERIFIER

SEED = bytes(range(100, 132))
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def signed_by_db(credentials: list[dict], status_lists: list[dict] = ()) -> dict:
    """Sign credentials and status lists in one Node run; return {"credentials": [...], "statusLists": [...]}."""
    job = {"seed": base64.b64encode(SEED).decode(), "credentials": credentials, "statusLists": list(status_lists)}
    done = subprocess.run(["node", "sign_db.mjs"], cwd=VERIFIER, capture_output=True, text=True, timeout=60,
                          check=True, input=json.dumps(job))
    return json.loads(done.stdout)


def badge(number: int, **extra) -> dict:
    """An unsigned OpenBadgeCredential from Harbour Adult School; "{{did}}" becomes the signer's did:key."""
    return {
        "@context": [V2, OB],
        "id": f"urn:uuid:7d1e0c3a-2b4f-4e6a-8c9d-0a1b2c3d4e5{number}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "{{did}}", "type": ["Profile"], "name": "Harbour Adult School"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Food hygiene level 2",
        "credentialSubject": {"id": "did:example:amina", "type": ["AchievementSubject"],
                              "achievement": {"id": "https://harbour.example/a/8", "type": ["Achievement"],
                                              "name": "Food hygiene level 2", "description": "Runs a clean kitchen.",
                                              "criteria": {"narrative": "Passed the kitchen inspection."}}},
        **extra,
    }
