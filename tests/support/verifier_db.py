"""Run Digital Bazaar's verifier stack (Node) over credentials: a second independent verifier.

tests/credentials/verifier/verify_db.mjs uses @digitalbazaar/vc, data-integrity,
eddsa-rdfc-2022-cryptosuite and vc-bitstring-status-list, with contexts served offline.
"""
from tests.support.verifier_core import VERIFIER, run_node

PACKAGES = ("vc", "data-integrity", "eddsa-rdfc-2022-cryptosuite", "vc-bitstring-status-list", "did-method-key")


def run(credentials: list[dict]) -> list[dict]:
    """Verify all credentials in one Node run; return one result per credential, in order."""
    needed = [VERIFIER / "node_modules" / "@digitalbazaar" / name for name in PACKAGES]
    return run_node("verify_db.mjs", credentials, needed, "Digital Bazaar's verifier")


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
