"""Keys and JWTs made by npm `jose` (tests/credentials/verifier/jwt.mjs), not by the app."""
import atexit
import base64
import json
import select
import subprocess
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from backpack.credentials import keys

VERIFIER = Path(__file__).parent / "verifier"


_node: subprocess.Popen | None = None


def run(jobs: list[dict]) -> list[dict]:
    """Run generate/sign jobs in node with jose; return their results.

    One node process serves the whole test run: starting Node and jose costs more than the jobs.
    """
    global _node
    if _node is None or _node.poll() is not None:
        _node = subprocess.Popen(
            ["node", "jwt.mjs", "--lines"], cwd=VERIFIER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        atexit.register(_stop, _node)
    _node.stdin.write(json.dumps(jobs) + "\n")
    _node.stdin.flush()
    if not select.select([_node.stdout], [], [], 60)[0]:
        _stop(_node)
        raise TimeoutError("jose (node jwt.mjs) did not answer within 60 s")
    answer = _node.stdout.readline()
    if not answer:
        raise RuntimeError(f"jose (node jwt.mjs) ended with exit code {_node.wait()}")
    results = json.loads(answer)
    if isinstance(results, dict):
        raise RuntimeError(f"jose (node jwt.mjs) failed: {results['error']}")
    return results


def _stop(node: subprocess.Popen) -> None:
    node.stdin.close()
    try:
        node.wait(5)
    except subprocess.TimeoutExpired:
        node.kill()
        node.wait()
    node.stdout.close()


def generate(*algs: str) -> list[dict]:
    return run([{"command": "generate", "alg": alg} for alg in algs])


def sign(private_jwk: dict, header: dict, payload: dict) -> str:
    return run([{"command": "sign", "privateJwk": private_jwk, "header": header, "payload": payload}])[0]["jwt"]


def sign_all(private_jwk: dict, items: list[tuple[dict, dict]]) -> list[str]:
    """Sign several (header, payload) pairs with one key in a single node run."""
    jobs = [{"command": "sign", "privateJwk": private_jwk, "header": header, "payload": payload}
            for header, payload in items]
    return [result["jwt"] for result in run(jobs)]


def vc_jwt_claims(document: dict, **claims) -> dict:
    """OB 3.0 §8.2.4 claims around a credential (or a status list credential): iss, jti, nbf, sub, vc."""
    made = {"iss": document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"],
            "jti": document["id"], "vc": document}
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and "id" in subject:
        made["sub"] = subject["id"]
    start = document.get("validFrom")
    if start:
        made["nbf"] = int(datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp())
    return {**made, **claims}


def _raw(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def did_key(public_jwk: dict) -> str:
    """The did:key (Ed25519 or P-256 multikey) naming a jose public key."""
    if public_jwk["kty"] == "OKP":
        return "did:key:" + keys.multibase_encode(b"\xed\x01" + _raw(public_jwk["x"]))
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_raw(public_jwk["x"]), "big"), int.from_bytes(_raw(public_jwk["y"]), "big"), ec.SECP256R1()
    )
    compressed = numbers.public_key().public_bytes(
        encoding=Encoding.X962, format=PublicFormat.CompressedPoint
    )
    return "did:key:" + keys.multibase_encode(b"\x80\x24" + compressed)


def did_jwk(public_jwk: dict) -> str:
    text = json.dumps(public_jwk, separators=(",", ":")).encode()
    return "did:jwk:" + base64.urlsafe_b64encode(text).rstrip(b"=").decode()
