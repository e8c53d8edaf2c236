"""Open Badges 3.0 credentials signed at test time by Digital Bazaar's current stack (`vc` issue,
DataIntegrityProof with eddsa-rdfc-2022, tests/credentials/verifier/sign_db.mjs), with a
BitstringStatusList it signed too, imported as a learner would: every verdict, and why."""
import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from backpack.extensions import db
from backpack.learner import importing
from tests.support.signer_db import badge, signed_by_db

NOT_GENUINE = "The signature does not match the credential's content."


def status_entry(list_url: str, index: int) -> dict:
    return {"credentialStatus": {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
                                 "statusPurpose": "revocation", "statusListIndex": str(index),
                                 "statusListCredential": list_url}}


def failed(imported) -> list[str]:
    return [item["reason"] for item in imported.reasons if not item["passed"]]


@pytest.fixture
def made(site):
    list_url = f"{site.base}/status/1"
    now = datetime.now(UTC)
    signed = signed_by_db(
        [
            badge(1),
            badge(2, validUntil=(now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")),
            badge(3, validFrom=(now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")),
            badge(4, **status_entry(list_url, 5)),
            badge(5, **status_entry(list_url, 6)),
        ],
        [{"id": list_url, "revoked": [5], "validFrom": "2025-01-01T00:00:00Z"}],
    )
    site.serve("/status/1", signed["statusLists"][0], media_type="application/vc+ld+json")
    return signed


def imported(holder, credential: dict):
    outcome = importing.import_credential(holder, data=json.dumps(credential).encode())
    db.session.commit()
    assert outcome.created
    return outcome.credential


def test_a_genuine_badge_is_valid_and_a_tampered_one_says_why_not(holder, made):
    genuine = made["credentials"][0]
    assert (genuine["proof"]["type"], genuine["proof"]["cryptosuite"]) == ("DataIntegrityProof", "eddsa-rdfc-2022")
    found = imported(holder, genuine)
    assert (found.status, found.name, found.issuer_name) == ("valid", "Food hygiene level 2", "Harbour Adult School")
    assert found.raw == json.dumps(genuine).encode()

    changed = copy.deepcopy(genuine)
    changed["credentialSubject"]["achievement"]["name"] = "Head chef"
    tampered = imported(holder, changed)
    assert (tampered.status, tampered.name) == ("invalid", "Head chef")
    assert NOT_GENUINE in failed(tampered)


def test_expired_and_not_yet_valid_badges_say_so(holder, made):
    expired = imported(holder, made["credentials"][1])
    assert expired.status == "expired" and "The credential expired on %(date)s." in failed(expired)
    early = imported(holder, made["credentials"][2])
    assert early.status == "invalid" and "The credential is not valid until %(date)s." in failed(early)


def test_the_issuers_signed_bitstring_status_list_is_read(holder, made, site):
    revoked = imported(holder, made["credentials"][3])
    assert revoked.status == "revoked" and "The issuer has revoked this credential." in failed(revoked)
    current = imported(holder, made["credentials"][4])
    assert current.status == "valid", failed(current)
    assert site.requests.count("/status/1") >= 1

    # The list changed after signing (a bit cleared): it is not believed, the status stays unknown.
    forged = copy.deepcopy(made["statusLists"][0])
    forged["credentialSubject"]["encodedList"] = signed_by_db([], [{"id": forged["id"], "revoked": [],
                                                                     "validFrom": "2025-01-01T00:00:00Z"}])["statusLists"][0][
        "credentialSubject"]["encodedList"]
    site.serve("/status/1", forged, media_type="application/vc+ld+json")
    result = importing.recheck(revoked)
    assert result.status == "unknown-status"
    assert result.check("revocation").reason == "The issuer's revocation list is not correctly signed."
