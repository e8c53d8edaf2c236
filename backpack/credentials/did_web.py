"""Issuer keys named by DIDs: did:key (Ed25519, P-256), did:jwk and did:web documents.

Pure parsing: fetching a did:web document is the caller's (through the outbound guard).
A did:web DID document counts only if its ``id`` is the DID, and a key only if the document
lists it for ``assertionMethod`` (when it has that list) and the DID controls it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .keys import ED25519_PUBLIC_PREFIX, KeyFormatError, ResolvedKey, multibase_decode, resolve_did_key

P256_PUBLIC_PREFIX = b"\x80\x24"  # multicodec p256-pub (0x1200), compressed point
_DID_WEB_PART = re.compile(r"^[A-Za-z0-9.%_-]+$")


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_object(data: bytes) -> dict:
    document = json.loads(data.decode("utf-8"))
    if not isinstance(document, dict):
        raise ValueError("not an object")
    return document


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk_of_multikey(multibase: str) -> dict:
    """Return the JWK of an Ed25519 or P-256 multikey (publicKeyMultibase)."""
    raw = multibase_decode(multibase)
    if raw.startswith(ED25519_PUBLIC_PREFIX) and len(raw) == 34:
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw[2:])}
    if raw.startswith(P256_PUBLIC_PREFIX) and len(raw) == 35:
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        except ValueError:
            raise KeyFormatError("not a P-256 point") from None
        numbers = point.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _b64url(numbers.x.to_bytes(32, "big")),
                "y": _b64url(numbers.y.to_bytes(32, "big"))}
    raise KeyFormatError("unsupported multikey")


def public_only(jwk: Any) -> dict:
    if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kty"), str):
        raise KeyFormatError("not a JWK")
    if "d" in jwk or jwk.get("kty") == "oct":
        raise KeyFormatError("not a public key")
    return dict(jwk)


def did_key_jwk(did: str) -> dict:
    """Return the JWK of a did:key (Ed25519 or P-256)."""
    return jwk_of_multikey(did.removeprefix("did:key:").split("#", 1)[0])


def did_jwk_jwk(did: str) -> dict:
    """Return the JWK a did:jwk embeds."""
    try:
        return public_only(_json_object(_b64decode(did.removeprefix("did:jwk:").split("#", 1)[0])))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise KeyFormatError("unreadable did:jwk") from None


def did_web_url(did: str) -> str:
    """Return the HTTPS address of a did:web's DID document (did:web spec §3.2)."""
    parts = did.removeprefix("did:web:").split("#", 1)[0].split(":")
    if not parts[0] or not all(_DID_WEB_PART.match(part) for part in parts):
        raise KeyFormatError("not a did:web")
    host = unquote(parts[0])
    if "/" in host or "@" in host:
        raise KeyFormatError("not a did:web")
    path = "/".join(unquote(part) for part in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_document_keys(document: Any, did: str) -> dict[str, dict]:
    """Return {absolute key id: JWK} of a DID document's assertion keys, if it is the DID's own."""
    if not isinstance(document, Mapping) or document.get("id") != did:
        raise KeyFormatError("the DID document is not the issuer's")
    methods = document.get("verificationMethod")
    methods = methods if isinstance(methods, list) else []
    allowed = document.get("assertionMethod")
    allowed = allowed if isinstance(allowed, list) else None
    keys = {}
    for method in methods:
        if not isinstance(method, Mapping) or not isinstance(method.get("id"), str):
            continue
        key_id = did + method["id"] if method["id"].startswith("#") else method["id"]
        if not key_id.startswith(did + "#") or method.get("controller", did) != did:
            continue
        if allowed is not None and not any(
            (entry if isinstance(entry, str) else None) in (key_id, key_id[len(did):]) for entry in allowed
        ):
            continue
        try:
            if "publicKeyJwk" in method:
                keys[key_id] = public_only(method["publicKeyJwk"])
            elif isinstance(method.get("publicKeyMultibase"), str):
                keys[key_id] = jwk_of_multikey(method["publicKeyMultibase"])
        except KeyFormatError:
            continue
    return keys


def jwks_keys(document: Any) -> dict[str, dict]:
    """Return {kid: JWK} of a JSON Web Key Set."""
    found = document.get("keys") if isinstance(document, Mapping) else None
    keys = {}
    for jwk in found if isinstance(found, list) else []:
        try:
            key = public_only(jwk)
        except KeyFormatError:
            continue
        if isinstance(key.get("kid"), str):
            keys[key["kid"]] = key
    return keys


def did_web_resolver(fetch: Callable[[str], Mapping[str, Any]]) -> Callable[[str], ResolvedKey]:
    """Return a verification-method resolver for Data Integrity proofs: did:key offline, did:web fetched."""

    def resolve(verification_method: str) -> ResolvedKey:
        if not isinstance(verification_method, str) or not verification_method.startswith("did:web:"):
            return resolve_did_key(verification_method)
        did = verification_method.split("#", 1)[0]
        url = did_web_url(did)
        try:
            document = fetch(url)
        except Exception as error:  # refused by the guard, unreachable or not JSON
            raise KeyFormatError("The DID document could not be fetched.") from error
        jwk = did_document_keys(document, did).get(verification_method)
        if jwk is None or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise KeyFormatError("The DID document lists no such Ed25519 assertion key.")
        try:
            public_key = Ed25519PublicKey.from_public_bytes(_b64decode(jwk["x"]))
        except (KeyError, ValueError, binascii.Error) as error:
            raise KeyFormatError("The key cannot be read.") from error
        return ResolvedKey(id=verification_method, controller=did, public_key=public_key)

    return resolve
