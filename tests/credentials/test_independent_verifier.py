"""Credentials signed here pass (or fail) an independent verifier: DCC verifier-core on Node.

All cases are verified in one Node run, then each test reads its verdict.
"""

import copy
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backpack.credentials import status_list
from backpack.credentials.verify import EXPIRED, INVALID, REVOKED, VALID, verify_credential

from .conftest import AWKWARD_TEXT

VERIFIER = Path(__file__).with_name("verifier")
NOW = datetime.now(UTC)


def tampered(credential, change):
    credential = copy.deepcopy(credential)
    change(credential)
    return credential


def verdict(result):
    """Reduce verifier-core's result to valid, invalid, revoked or expired."""
    if result.get("errors"):
        return INVALID
    steps = {step["id"]: step for step in result.get("log", [])}
    if not steps.get("valid_signature", {}).get("valid"):
        return INVALID
    if "error" in steps.get("revocation_status", {}):
        return "status-error: " + steps["revocation_status"]["error"]["name"]
    if steps.get("revocation_status", {}).get("valid") is False:
        return REVOKED
    if steps.get("expiration", {}).get("valid") is False:
        return EXPIRED
    return VALID


@pytest.fixture(scope="module")
def cases(make_credential, sign, publish_status_list):
    """Build every credential to check, with the verdict both verifiers should reach."""
    genuine = sign(make_credential())
    url = publish_status_list("/status/independent", revoked=[7])

    def with_status(index):
        return sign(make_credential(status=status_list.build_status_entry(list_url=url, index=index)))

    return {
        "genuine": (genuine, VALID),
        "awkward text": (sign(make_credential(name=AWKWARD_TEXT, criteria=AWKWARD_TEXT)), VALID),
        "emoji": (sign(make_credential(name="Welder 🎉 焊工 ！", criteria="Done 👍🏽 完成！")), VALID),
        "changed name": (tampered(genuine, lambda c: c.update(name="Master welder")), INVALID),
        "changed learner": (
            tampered(genuine, lambda c: c["credentialSubject"].update(id="did:example:someone-else")),
            INVALID,
        ),
        "changed criteria": (
            tampered(genuine, lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="x")),
            INVALID,
        ),
        "changed issuer name": (tampered(genuine, lambda c: c["issuer"].update(name="Another school")), INVALID),
        "changed date": (tampered(genuine, lambda c: c.update(validFrom="2023-01-01T00:00:00Z")), INVALID),
        "undefined property added": (tampered(genuine, lambda c: c.update(favouriteColour="blue")), INVALID),
        "revoked": (with_status(7), REVOKED),
        "not revoked": (with_status(8), VALID),
        "expired": (sign(make_credential(valid_until="2025-01-01T00:00:00Z")), EXPIRED),
    }


@pytest.fixture(scope="module")
def verifier_core(cases):
    """Run verifier-core once over all cases; return its result per case name."""
    if not (VERIFIER / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir():
        pytest.skip("verifier-core is not installed: run npm ci --prefix tests/credentials/verifier")
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    names = list(cases)
    completed = subprocess.run(
        [node, str(VERIFIER / "verify.mjs")],
        input=json.dumps([cases[name][0] for name in names]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(zip(names, json.loads(completed.stdout), strict=True))


CASE_NAMES = [
    "genuine", "awkward text", "emoji", "changed name", "changed learner", "changed criteria",
    "changed issuer name", "changed date", "undefined property added", "revoked", "not revoked", "expired",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_verifier_core_agrees(name, cases, verifier_core):
    _credential, expected = cases[name]

    assert verdict(verifier_core[name]) == expected, verifier_core[name]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_our_verifier_agrees(name, cases, status_server):
    credential, expected = cases[name]

    result = verify_credential(credential, fetch_status_list=status_server.fetch, now=NOW)

    assert result.status == expected, result.checks
