"""Run Digital Bazaar's verifier stack (Node) over credentials: a second independent verifier.

tests/credentials/verifier/verify_db.mjs uses @digitalbazaar/vc, data-integrity,
eddsa-rdfc-2022-cryptosuite and vc-bitstring-status-list, with contexts served offline.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

VERIFIER = Path(__file__).resolve().parent.parent / "credentials" / "verifier"
PACKAGES = ("vc", "data-integrity", "eddsa-rdfc-2022-cryptosuite", "vc-bitstring-status-list", "did-method-key")


def run(credentials: list[dict]) -> list[dict]:
    """Verify all credentials in one Node run; return one result per credential, in order."""
    modules = VERIFIER / "node_modules" / "@digitalbazaar"
    installed = all((modules / name).is_dir() for name in PACKAGES)
    node = shutil.which("node")
    if not installed or node is None:
        message = "Digital Bazaar's verifier is not installed: run npm ci --prefix tests/credentials/verifier"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    completed = subprocess.run(
        [node, str(VERIFIER / "verify_db.mjs")],
        input=json.dumps(credentials),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout)


def verdict(result: dict) -> str:
    """Reduce a result to valid, invalid, revoked or expired (the names verifier_core.verdict uses)."""
    if not result.get("proofVerified"):
        return "invalid"
    if result.get("hasStatus") and not result.get("statusChecked"):
        return "status-error: " + "; ".join(result.get("errors", []))
    if not result.get("verified"):
        return "invalid"
    if result.get("revoked"):
        return "revoked"
    if result.get("expired"):
        return "expired"
    return "valid"
