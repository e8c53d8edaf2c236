"""Which key the wallet holds: an OpenID4VCI jwt proof of possession, or a DID Authentication presentation.

Either way the answer is the wallet's DID (did:key or did:jwk), which becomes the copy's
credentialSubject.id. Signatures are checked by joserfc (JWT) and by the Data Integrity code that
verifies badges (presentations); other DID methods are refused by name.
"""
import base64
import binascii
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask_babel import lazy_gettext as _l

from backpack.credentials import did_web, keys, proof, vc_jwt

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("EdDSA", "ES256")
DID_METHODS = ("did:key", "did:jwk")
AUTHENTICATION = "authentication"
# A proof made a little in the future still counts (clocks differ); one older than this does not.
CLOCK_SKEW = timedelta(minutes=1)
PROOF_MAX_AGE = timedelta(minutes=5)
MAX_JWT_CHARS = 8192


class HolderError(Exception):
    """The wallet did not prove a key we accept; error is the protocol's error code."""

    def __init__(self, error: str, description):
        super().__init__(str(description))
        self.error = error
        self.description = description


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _method_of(did: str) -> str:
    return ":".join(did.split(":", 2)[:2])


def _unsupported_method(did: Any) -> HolderError:
    method = _method_of(did) if isinstance(did, str) and did.startswith("did:") else str(did)[:40]
    return HolderError(
        "invalid_proof",
        _l("The DID method %(method)s is not supported: use did:key or did:jwk.", method=method),
    )


def did_jwk_of(jwk: Mapping[str, Any]) -> str:
    """Return the did:jwk naming a public key (only its public members, in a fixed order)."""
    members = ("crv", "kty", "x", "y") if jwk.get("kty") == "EC" else ("crv", "kty", "x")
    public = {name: jwk[name] for name in members if name in jwk}
    return "did:jwk:" + _b64url(json.dumps(public, separators=(",", ":")).encode())


def _key_of_kid(kid: Any) -> tuple[str, dict]:
    """Return (holder DID, public JWK) of a did:key or did:jwk key id."""
    if not isinstance(kid, str) or not kid.startswith("did:"):
        raise HolderError("invalid_proof", _l("The proof's kid must be a did:key or did:jwk key id."))
    did = kid.split("#", 1)[0]
    if _method_of(did) not in DID_METHODS:
        raise _unsupported_method(did)
    try:
        jwk = did_web.did_key_jwk(did) if did.startswith("did:key:") else did_web.did_jwk_jwk(did)
    except (keys.KeyFormatError, ValueError):
        raise HolderError("invalid_proof", _l("The key the proof names cannot be read.")) from None
    return did, jwk


def _claims(token: str) -> dict:
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        claims = None
    if not isinstance(claims, dict):
        raise HolderError("invalid_proof", _l("The proof is not a readable JWT."))
    return claims


def holder_of_jwt_proof(token: Any, *, audience: str, now: datetime, nonce_ok: Callable[[Any], bool]) -> tuple[str, str]:
    """Check an OpenID4VCI jwt proof (Appendix F.1); return (the holder's DID, the nonce it carries)."""
    if not isinstance(token, str) or len(token) > MAX_JWT_CHARS or token.count(".") != 2:
        raise HolderError("invalid_proof", _l("The proof is not a compact JWT."))
    header = vc_jwt.jws_header(token)
    if header.get("typ") != PROOF_TYP:
        raise HolderError("invalid_proof", _l("The proof's typ must be openid4vci-proof+jwt."))
    if header.get("alg") not in PROOF_ALGORITHMS:
        raise HolderError("invalid_proof", _l("The proof must be signed with EdDSA or ES256."))
    if "crit" in header:
        raise HolderError("invalid_proof", _l("The proof has critical header parameters we do not understand."))
    if sum(name in header for name in ("kid", "jwk", "x5c", "trust_chain")) > 1:
        raise HolderError("invalid_proof", _l("The proof names its key more than once."))
    if "x5c" in header or "trust_chain" in header:
        raise HolderError("invalid_proof", _l("Name the proof's key by kid (did:key or did:jwk) or jwk; certificates are not supported."))
    if "jwk" in header:
        try:
            jwk = did_web.public_only(header["jwk"])
        except keys.KeyFormatError:
            raise HolderError("invalid_proof", _l("The proof's jwk is not a public key.")) from None
        did = did_jwk_of(jwk)
    elif "kid" in header:
        did, jwk = _key_of_kid(header["kid"])
    else:
        raise HolderError("invalid_proof", _l("The proof does not name its key (kid or jwk)."))
    if not vc_jwt.check_compact(token, header, jwk).passed:
        raise HolderError("invalid_proof", _l("The proof's signature does not match its key."))
    claims = _claims(token)
    audiences = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
    if audience not in audiences:
        raise HolderError("invalid_proof", _l("The proof was made for another credential issuer (aud)."))
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise HolderError("invalid_proof", _l("The proof has no issue time (iat)."))
    try:
        moment = datetime.fromtimestamp(issued, now.tzinfo)
    except (OverflowError, OSError, ValueError):
        moment = None
    if moment is None or moment > now + CLOCK_SKEW or moment < now - PROOF_MAX_AGE:
        raise HolderError("invalid_proof", _l("The proof's issue time (iat) is not recent."))
    nonce = claims.get("nonce")
    if not nonce_ok(nonce):
        raise HolderError("invalid_nonce", _l("The proof does not carry a fresh nonce from our nonce endpoint."))
    return did, nonce


def _resolve(verification_method: str) -> keys.ResolvedKey:
    """Resolve a did:key or an Ed25519 did:jwk verification method offline."""
    if isinstance(verification_method, str) and verification_method.startswith("did:jwk:"):
        did = verification_method.split("#", 1)[0]
        jwk = did_web.did_jwk_jwk(did)
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise keys.KeyFormatError("not an Ed25519 key")
        try:
            public_key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4)))
        except (KeyError, ValueError, binascii.Error):
            raise keys.KeyFormatError("unreadable key") from None
        return keys.ResolvedKey(id=verification_method, controller=did, public_key=public_key)
    return keys.resolve_did_key(verification_method)


def _holder_id(presentation: Mapping[str, Any]) -> Any:
    holder = presentation.get("holder")
    return holder.get("id") if isinstance(holder, Mapping) else holder


def holder_of_presentation(presentation: Any, *, challenge: str, domain: str) -> str:
    """Check a DID Authentication presentation (VC-API exchange); return the holder's DID."""
    types = presentation.get("type") if isinstance(presentation, Mapping) else None
    if "VerifiablePresentation" not in (types if isinstance(types, list) else [types]):
        raise HolderError("invalid_presentation", _l("Send a verifiablePresentation."))
    found = presentation.get("proof")
    found = found[0] if isinstance(found, list) and len(found) == 1 else found
    if not isinstance(found, Mapping):
        raise HolderError("invalid_presentation", _l("The presentation is not signed."))
    if found.get("proofPurpose") != AUTHENTICATION:
        raise HolderError("invalid_presentation", _l("The presentation's proof was not made for authentication."))
    if found.get("challenge") != challenge:
        raise HolderError("invalid_challenge", _l("The presentation does not answer this exchange's challenge."))
    if found.get("domain") != domain:
        raise HolderError("invalid_domain", _l("The presentation was made for another domain."))
    method = found.get("verificationMethod")
    did = method.split("#", 1)[0] if isinstance(method, str) else method
    if not isinstance(did, str) or _method_of(did) not in DID_METHODS:
        raise _unsupported_method(did)
    holder = _holder_id(presentation)
    if holder is not None and holder != did:
        raise HolderError("invalid_presentation", _l("The presentation was signed by a key that is not its holder's."))
    signed, reason = proof.verify_proof(presentation, resolve_key=_resolve, purpose=AUTHENTICATION)
    if not signed:
        raise HolderError("invalid_presentation", _l("The presentation's signature does not check: %(reason)s", reason=reason))
    return did
