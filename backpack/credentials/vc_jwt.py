"""Open Badges credentials secured as JWTs: OB 3.0 §8 VC-JWT and VC-JOSE (``application/vc+jwt``).

A VC-JWT carries the credential in its ``vc`` claim, next to the registered claims ``iss``,
``nbf``, ``exp``, ``jti`` and ``sub``; a VC-JOSE token's payload is the credential itself.
The signature is checked by joserfc, never by hand. Only EdDSA (Ed25519), ES256 (P-256)
and RS256 are accepted, and only with a key of the matching type: ``none``, HMAC and
everything else is refused. The key comes from the issuer: a ``did:key`` (Ed25519 or P-256
multikey) or ``did:jwk`` offline, a ``did:web`` DID document, or the issuer's JWKS at
``<issuer>/.well-known/jwks.json``. Fetching is the caller's (see ``DocumentFetcher``): this
module stays pure. Reasons are untranslated templates, as in verify.py.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from .did_web import did_document_keys, did_jwk_jwk, did_key_jwk, did_web_url, jwks_keys, public_only
from .keys import KeyFormatError
from .verify import (
    EXPIRED,
    INVALID,
    REVOKED,
    VALID,
    Check,
    StatusListFetcher,
    VerificationResult,
    _check_dates,
    _check_revocation,
    _format_problem,
    _issuer_id,
)

# A badge JWT is at most as large as a badge JSON (512 KB) in base64url, plus its header.
MAX_JWT_CHARS = 700 * 1024
MAX_HEADER_CHARS = 4096
ALGORITHMS = {"EdDSA": ("OKP", "Ed25519"), "ES256": ("EC", "P-256"), "RS256": ("RSA", None)}
_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

# Return the parsed JSON answer at an HTTPS URL; raise on any failure (refused, unreachable...).
DocumentFetcher = Callable[[str], Mapping[str, Any]]


def _l(message: str) -> str:
    """Mark a user-facing sentence for translation; return it unchanged."""
    return message


class JwtFormatError(ValueError):
    """Raised when text is not a compact JWT holding a credential: nothing is kept."""


class KeyUnavailable(Exception):
    """Raised when the issuer's key cannot be found; the reason is a sentence for the learner."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def looks_like_jwt(text: str) -> bool:
    """Tell whether text has the shape of a compact JWS (three base64url parts)."""
    return len(text) <= MAX_JWT_CHARS and _COMPACT.match(text) is not None


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_object(data: bytes) -> dict:
    def pairs(items):
        found = dict(items)
        if len(found) != len(items):
            raise ValueError("duplicate key")
        return found

    document = json.loads(data.decode("utf-8"), object_pairs_hook=pairs)
    if not isinstance(document, dict):
        raise ValueError("not an object")
    return document


@dataclass(frozen=True)
class Decoded:
    """An unverified JWT: its header, its claims, and the credential it carries."""

    token: str
    header: dict
    claims: dict
    credential: dict

    @property
    def enveloped(self) -> bool:
        """True for VC-JOSE (the payload is the credential), False for a ``vc`` claim."""
        return "vc" not in self.claims


def _is_credential(document: Any) -> bool:
    if not isinstance(document, Mapping):
        return False
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return "VerifiableCredential" in types


def _numeric_date(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None


def _credential_of(claims: dict) -> dict:
    """Return the credential, filling what a ``vc`` claim leaves to the registered claims."""
    if "vc" not in claims:
        return dict(claims)
    credential = dict(claims["vc"])
    v1 = credential.get("@context", [None])[:1] == ["https://www.w3.org/2018/credentials/v1"]
    start, end = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    if "id" not in credential and isinstance(claims.get("jti"), str):
        credential["id"] = claims["jti"]
    if "issuer" not in credential and isinstance(claims.get("iss"), str):
        credential["issuer"] = claims["iss"]
    if start not in credential and _numeric_date(claims.get("nbf")):
        credential[start] = _numeric_date(claims["nbf"])
    if end not in credential and _numeric_date(claims.get("exp")):
        credential[end] = _numeric_date(claims["exp"])
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and "id" not in subject and isinstance(claims.get("sub"), str):
        credential["credentialSubject"] = {**subject, "id": claims["sub"]}
    return credential


def decode(token: str) -> Decoded:
    """Read a compact JWT's header and claims without trusting them; refuse a non-credential."""
    token = token.strip()
    if len(token) > MAX_JWT_CHARS:
        raise JwtFormatError("too large")
    if not _COMPACT.match(token):
        raise JwtFormatError("not a compact JWS")
    header_part, payload_part, _signature = token.split(".")
    if len(header_part) > MAX_HEADER_CHARS:
        raise JwtFormatError("header too large")
    try:
        header = _json_object(_b64decode(header_part))
        claims = _json_object(_b64decode(payload_part))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise JwtFormatError("unreadable") from None
    if "vc" in claims and not _is_credential(claims["vc"]):
        raise JwtFormatError("the vc claim is not a credential")
    if "vc" not in claims and not _is_credential(claims):
        raise JwtFormatError("no credential")
    return Decoded(token, header, claims, _credential_of(claims))


def jws_header(token: str) -> dict:
    """Return a compact JWS's protected header ({} when unreadable); it is not trusted."""
    part = token.strip().split(".", 1)[0]
    if len(part) > MAX_HEADER_CHARS:
        return {}
    try:
        return _json_object(_b64decode(part))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return {}


def is_credential_jwt(token: str) -> bool:
    """Tell whether text is a JWT that carries a Verifiable Credential."""
    try:
        decode(token)
    except JwtFormatError:
        return False
    return True


# -- Keys ------------------------------------------------------------------------------


UNKNOWN_KEY = _l("The issuer's key named in the badge could not be found.")
KEY_UNREACHABLE = _l("The issuer's keys could not be fetched from its website.")


def issuer_key(decoded: Decoded, fetch: DocumentFetcher | None) -> dict:
    """Return the issuer's JWK for this token, or raise KeyUnavailable with a plain reason."""
    issuer = _issuer_id(decoded.credential)
    kid = decoded.header.get("kid")
    kid = kid if isinstance(kid, str) and len(kid) < 2048 else None
    if issuer is None:
        raise KeyUnavailable(_l("The badge does not name its issuer."))
    if kid and kid.startswith("#"):
        kid = issuer + kid
    if issuer.startswith(("did:key:", "did:jwk:")):
        if kid and kid.split("#", 1)[0] != issuer:
            raise KeyUnavailable(_l("The badge was signed with a key that does not belong to its issuer."))
        try:
            return did_key_jwk(issuer) if issuer.startswith("did:key:") else did_jwk_jwk(issuer)
        except KeyFormatError:
            raise KeyUnavailable(_l("The issuer's key cannot be read.")) from None
    if fetch is None:
        raise KeyUnavailable(KEY_UNREACHABLE)
    if issuer.startswith("did:web:"):
        if kid and kid.split("#", 1)[0] != issuer:
            raise KeyUnavailable(_l("The badge was signed with a key that does not belong to its issuer."))
        try:
            url = did_web_url(issuer)
        except KeyFormatError:
            raise KeyUnavailable(_l("The issuer's key cannot be read.")) from None
        try:
            document = fetch(url)
        except Exception:  # refused by the guard, unreachable or not JSON
            raise KeyUnavailable(_l("The issuer's DID document could not be fetched from its website.")) from None
        try:
            keys = did_document_keys(document, issuer)
        except KeyFormatError:
            raise KeyUnavailable(_l("The issuer's DID document is not the issuer's own.")) from None
    elif issuer.startswith("https://"):
        try:
            document = fetch(issuer.rstrip("/") + "/.well-known/jwks.json")
        except Exception:  # refused by the guard, unreachable or not JSON
            raise KeyUnavailable(KEY_UNREACHABLE) from None
        keys = jwks_keys(document)
    else:
        raise KeyUnavailable(_l("The issuer's kind of identifier is not supported, so its key cannot be found."))
    if kid in keys:
        return keys[kid]
    if kid is None and len(keys) == 1:
        return next(iter(keys.values()))
    raise KeyUnavailable(UNKNOWN_KEY)


def jwk_of_pem(pem: str) -> dict:
    """Return the public JWK of a PEM public key (RSA or EC), as OB 2.0 CryptographicKey holds it."""
    for kind in (RSAKey, ECKey, OKPKey):
        try:
            key = kind.import_key(pem)
        except (JoseError, ValueError, TypeError):
            continue
        if key.is_private:
            raise KeyFormatError("not a public key")
        return public_only(key.as_dict(private=False))
    raise KeyFormatError("unreadable PEM")


def _import_key(jwk: dict):
    kind = {"OKP": OKPKey, "EC": ECKey, "RSA": RSAKey}.get(jwk.get("kty"))
    if kind is None:
        raise KeyFormatError("unsupported key type")
    try:
        return kind.import_key(jwk)
    except (JoseError, ValueError, TypeError):
        raise KeyFormatError("unreadable key") from None


def check_signature(decoded: Decoded, jwk: dict) -> Check:
    """Check the JWS with joserfc: EdDSA, ES256 or RS256 only, with a key of the matching type."""
    return check_compact(decoded.token, decoded.header, jwk)


def check_compact(token: str, header: Mapping[str, Any], jwk: dict) -> Check:
    """Check a compact JWS against one public JWK with joserfc; refuse other algorithms."""
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        return Check("signature", False, _l("The badge is signed with a method that is not safe or not supported."))
    kty, curve = ALGORITHMS[alg]
    if jwk.get("kty") != kty or (curve and jwk.get("crv") != curve):
        return Check("signature", False, _l("The badge's signing method does not match the issuer's key."))
    try:
        key = _import_key(jwk)
    except KeyFormatError:
        return Check("signature", False, _l("The issuer's key cannot be read."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864)
            jws.deserialize_compact(token, key, algorithms=[alg])
    except JoseError:
        return Check("signature", False, _l("The signature does not match: the badge was changed after it was signed."))
    except (ValueError, TypeError):
        return Check("signature", False, _l("The badge's signature cannot be read."))
    return Check("signature", True, _l("The issuer's signature is intact."))


def _claims_problem(decoded: Decoded) -> str | None:
    """Return why the JWT's claims disagree with the credential it carries, or None."""
    claims, credential = decoded.claims, decoded.credential
    if "iss" in claims and claims["iss"] != _issuer_id(credential):
        return _l("The token's issuer is not the badge's issuer.")
    if "jti" in claims and claims["jti"] != credential.get("id"):
        return _l("The token's identifier is not the badge's.")
    subject = credential.get("credentialSubject")
    if "sub" in claims and isinstance(subject, Mapping) and claims["sub"] != subject.get("id"):
        return _l("The token names a different earner than the badge.")
    for name in ("nbf", "exp", "iat"):
        if name in claims and _numeric_date(claims[name]) is None:
            return _l("The credential's dates are missing or unreadable.")
    return None


def _token_dates(decoded: Decoded, now: datetime) -> list[Check]:
    """Check nbf/exp as validity too, when they are stricter than the credential's dates."""
    checks = []
    nbf, exp = decoded.claims.get("nbf"), decoded.claims.get("exp")
    if nbf is not None and datetime.fromtimestamp(nbf, UTC) > now:
        checks.append(Check("valid-from", False, _l("The credential is not valid until %(date)s."),
                            datetime.fromtimestamp(nbf, UTC)))
    if exp is not None and datetime.fromtimestamp(exp, UTC) <= now:
        checks.append(Check("expiry", False, _l("The credential expired on %(date)s."), datetime.fromtimestamp(exp, UTC)))
    return checks


def verify_jwt(
    token: str,
    *,
    fetch_document: DocumentFetcher | None = None,
    fetch_status_list: StatusListFetcher | None = None,
    now: datetime | None = None,
) -> VerificationResult:
    """Check a credential JWT: format, claims, issuer key, signature, dates and revocation."""
    now = now or datetime.now(UTC)
    try:
        decoded = decode(token)
    except JwtFormatError:
        return VerificationResult(INVALID, (Check("format", False, _l("The document is not an Open Badges credential.")),))
    problem = _format_problem({**decoded.credential, "proof": "jwt"}) or _claims_problem(decoded)
    if problem:
        return VerificationResult(INVALID, (Check("format", False, problem),))
    checks = [Check("format", True, _l("The document is an Open Badges credential."))]
    try:
        jwk = issuer_key(decoded, fetch_document)
    except KeyUnavailable as missing:
        checks.append(Check("issuer", False, missing.reason))
        return VerificationResult(INVALID, tuple(checks))
    signature = check_signature(decoded, jwk)
    checks.append(signature)
    if not signature.passed:
        return VerificationResult(INVALID, tuple(checks))
    checks.append(Check("issuer", True, _l("The credential was signed with the issuer's own key.")))
    dates = _check_dates(decoded.credential, now)
    stricter = _token_dates(decoded, now)
    replaced = {check.name for check in stricter}
    checks.extend([check for check in dates if check.name not in replaced] + stricter)
    if not all(check.passed for check in checks if check.name != "expiry"):
        return VerificationResult(INVALID, tuple(checks))
    revocation, revocation_status = _check_revocation(decoded.credential, fetch_status_list, now, None)
    checks.append(revocation)
    expired = not all(check.passed for check in checks if check.name == "expiry")
    if revocation_status == REVOKED:
        status = REVOKED
    elif expired:
        status = EXPIRED
    else:
        status = revocation_status or VALID
    return VerificationResult(status, tuple(checks))
