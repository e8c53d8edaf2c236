"""Run the Digital Credentials Consortium's verifier-core (Node) over credentials."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

VERIFIER = Path(__file__).resolve().parent.parent / "credentials" / "verifier"


def run_node(script: str, credentials: list[dict], needed: list[Path], what: str) -> list[dict]:
    """Run a verifier script of tests/credentials/verifier over all credentials in one Node process."""
    node = shutil.which("node")
    if node is None or not all(path.is_dir() for path in needed):
        message = f"{what} is not installed: run npm ci --prefix tests/credentials/verifier"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    completed = subprocess.run(
        [node, str(VERIFIER / script)],
        input=json.dumps(credentials),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout)


def run(credentials: list[dict]) -> list[dict]:
    """Verify all credentials in one Node run; return verifier-core's results in order."""
    needed = [VERIFIER / "node_modules" / "@digitalcredentials" / "verifier-core"]
    return run_node("verify.mjs", credentials, needed, "verifier-core")


def verdict(result: dict) -> str:
    """Reduce verifier-core's result to valid, invalid, revoked or expired."""
    if result.get("errors"):
        return "invalid"
    steps = {step["id"]: step for step in result.get("log", [])}
    if not steps.get("valid_signature", {}).get("valid"):
        return "invalid"
    if "error" in steps.get("revocation_status", {}):
        return "status-error: " + steps["revocation_status"]["error"]["name"]
    if steps.get("revocation_status", {}).get("valid") is False:
        return "revoked"
    if steps.get("expiration", {}).get("valid") is False:
        return "expired"
    return "valid"
