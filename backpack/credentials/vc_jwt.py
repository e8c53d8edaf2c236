"""Open Badges credentials secured as JWTs: OB 3.0 §8 VC-JWT and VC-JOSE (``application/vc+jwt``).

A VC-JWT carries the credential in its ``vc`` claim, next to the registered claims ``iss``,
``nbf``, ``exp``, ``jti`` and ``sub``; a VC-JOSE token's payload is the credential itself.
The signature is checked by joserfc, never by hand. Only EdDSA (Ed25519), ES256 (P-256)
and RS256 are accepted, and only with a key of the matching type: ``none``, HMAC and
everything else is refused. The key must be one the issuer publishes (see issuer_keys.py).
Status lists secured as JWTs are opened here with the same rules. Fetching is the caller's
(see ``DocumentFetcher``): this module stays pure. Reasons are untranslated templates.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from .did_web import did_web_url as did_web_url  # re-exported: callers found keys here before issuer_keys.py
from .issuer_keys import DID_UNREACHABLE, KEY_UNREACHABLE, DocumentFetcher, KeyUnavailable
from .issuer_keys import UNKNOWN_KEY as UNKNOWN_KEY
from .issuer_keys import issuer_key as _issuer_key
from .issuer_keys import jwk_of_pem as jwk_of_pem
from .jsonld import VC_V1_CONTEXT
from .keys import KeyFormatError
from .translatable import mark as _l
from .verify import (
    EXPIRED,
    INVALID,
    REVOKED,
    VALID,
    Check,
    JwtListOpener,
    SignedListRefused,
    StatusListFetcher,
    VerificationResult,
    _check_dates,
    _check_revocation,
    _dates,
    _format_problem,
    _issuer_id,
    parse_time,
)

# A badge JWT is at most as large as a badge JSON (512 KB) in base64url, plus its header.
MAX_JWT_CHARS = 700 * 1024
MAX_HEADER_CHARS = 4096
ALGORITHMS = {"EdDSA": ("OKP", "Ed25519"), "ES256": ("EC", "P-256"), "RS256": ("RSA", None)}
_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


class JwtFormatError(ValueError):
    """Raised when text is not a compact JWT holding a credential: nothing is kept."""


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


def issuer_key(decoded: Decoded, fetch: DocumentFetcher | None) -> dict:
    """Return the issuer's JWK for this token, or raise KeyUnavailable with a plain reason."""
    return _issuer_key(_issuer_id(decoded.credential), decoded.header, fetch)


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
    revocation, revocation_status = _check_revocation(
        decoded.credential, fetch_status_list, now, None, open_jwt_list=status_list_opener(fetch_document)
    )
    checks.append(revocation)
    expired = not all(check.passed for check in checks if check.name == "expiry")
    if revocation_status == REVOKED:
        status = REVOKED
    elif expired:
        status = EXPIRED
    else:
        status = revocation_status or VALID
    return VerificationResult(status, tuple(checks))


# -- Status lists secured as JWTs --------------------------------------------------------

NOT_A_LIST = _l("The document given as the issuer's revocation list is not a revocation list.")


def _list_parts(token: str) -> tuple[dict, dict, dict]:
    """Return (header, claims, list document) of a JWT-secured list, unverified."""
    token = token.strip()
    if not looks_like_jwt(token) or len(token.split(".", 1)[0]) > MAX_HEADER_CHARS:
        raise SignedListRefused(NOT_A_LIST)
    header_part, payload_part, _signature = token.split(".")
    try:
        header = _json_object(_b64decode(header_part))
        claims = _json_object(_b64decode(payload_part))
        if "vc" in claims and not isinstance(claims["vc"], dict):
            raise ValueError("the vc claim is not an object")
        document = _credential_of(claims)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        raise SignedListRefused(NOT_A_LIST) from None
    return header, claims, document


def _narrowed(document: dict, claims: dict) -> dict:
    """Let the token's nbf and exp narrow the list's own dates, as they narrow a badge's."""
    if any(name in claims and _numeric_date(claims[name]) is None for name in ("nbf", "exp")):
        raise SignedListRefused(_l("The dates on the issuer's revocation list cannot be read."))
    v1 = isinstance(document.get("@context"), list) and document["@context"][:1] == [VC_V1_CONTEXT]
    start, end = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    raw_from, raw_until = _dates(document)
    nbf, exp = _numeric_date(claims.get("nbf")), _numeric_date(claims.get("exp"))
    if exp and (raw_until is None or (parse_time(raw_until) and parse_time(exp) < parse_time(raw_until))):
        document[end] = exp
    if nbf and (raw_from is None or (parse_time(raw_from) and parse_time(nbf) > parse_time(raw_from))):
        document[start] = nbf
    return document


def open_status_list(token: str, credential: Mapping[str, Any], fetch: DocumentFetcher | None) -> dict:
    """Verify a JWT-secured status list for this credential and return the list it carries.

    A Bitstring / Status List 2021 credential or a 1EdTech revocation list, as a VC-JWT ``vc``
    claim or a VC-JOSE payload: it must be the credential's issuer's, signed with a key that
    issuer publishes (the same rules as for a badge JWT). Its ``exp`` and ``nbf`` narrow its dates.
    """
    header, claims, document = _list_parts(token)
    issuer = _issuer_id(document)
    if ("iss" in claims and claims["iss"] != issuer) or issuer is None or issuer != _issuer_id(credential):
        raise SignedListRefused(_l("The revocation list was not published by the credential's issuer."))
    if "jti" in claims and claims["jti"] != document.get("id"):
        raise SignedListRefused(_l("The revocation list is for a different address than the one the credential names."))
    try:
        jwk = _issuer_key(issuer, header, fetch)
    except KeyUnavailable as missing:
        if missing.reason in (KEY_UNREACHABLE, DID_UNREACHABLE):
            raise SignedListRefused(_l("The issuer's keys could not be fetched to check its revocation list.")) from None
        raise SignedListRefused(_l("The revocation list was not signed with the issuer's own key.")) from None
    if not check_compact(token.strip(), header, jwk).passed:
        raise SignedListRefused(_l("The issuer's revocation list is not correctly signed."))
    return _narrowed(document, claims)


def status_list_opener(fetch: DocumentFetcher | None) -> JwtListOpener:
    """Return a reader of JWT-secured status lists that finds issuer keys with `fetch`."""

    def open_list(token: str, credential: Mapping[str, Any]) -> dict:
        return open_status_list(token, credential, fetch)

    return open_list
