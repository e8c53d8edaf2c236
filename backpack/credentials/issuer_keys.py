"""Which public key may check a credential JWT: only a key its issuer publishes.

OB 3.0 §8.2.6 "Verify a Credential" (#jwt-verify) takes the key from the JOSE header: ``kid``
is a URI to dereference to a JWK (§8.5 "Dereferencing the Public Key" (#dereference): an HTTP
URL or a DID URL), or ``jwk`` holds the key itself. §8.2.6.1 then binds the token to the
credential's ``issuer.id``; a key that anyone can write into a header would prove nothing, so
a key counts here only when that issuer publishes it:

- ``did:key`` / ``did:jwk``: the key the DID embeds;
- ``did:web``: an assertion key of the DID's document;
- an HTTPS issuer: what a ``kid`` URL on the issuer's own site dereferences to (a JWK, a JWKS
  entry, a key document the issuer owns, or a key the issuer's Profile lists); without such a
  ``kid``, a key listed by the Profile found at the issuer's id (its ``verificationMethod``, or
  OB 2.0's ``publicKey``), else the JWKS at ``<issuer>/.well-known/jwks.json``.

A ``jwk`` header only picks one of those keys. Fetching is the caller's (through the outbound
guard, cached briefly); this module stays pure. Reasons are untranslated templates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from .did_web import did_document_keys, did_jwk_jwk, did_key_jwk, did_web_url, jwk_of_multikey, jwks_keys, public_only
from .keys import KeyFormatError
from .translatable import mark as _l

# Return the parsed JSON answer at an HTTPS URL; raise on any failure (refused, unreachable...).
DocumentFetcher = Callable[[str], Mapping[str, Any]]
_PUBLIC_PARAMETERS = ("kty", "crv", "x", "y", "n", "e")


UNKNOWN_KEY = _l("The issuer's key named in the badge could not be found.")
KEY_UNREACHABLE = _l("The issuer's keys could not be fetched from its website.")
NOT_ISSUERS = _l("The badge was signed with a key that does not belong to its issuer.")
UNREADABLE = _l("The issuer's key cannot be read.")
DID_UNREACHABLE = _l("The issuer's DID document could not be fetched from its website.")


class KeyUnavailable(Exception):
    """Raised when the issuer's key cannot be found; the reason is a sentence for the learner."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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


def _method_jwk(method: Mapping[str, Any]) -> dict:
    """Return the JWK of a key entry: publicKeyJwk, publicKeyMultibase or publicKeyPem."""
    if "publicKeyJwk" in method:
        return public_only(method["publicKeyJwk"])
    if isinstance(method.get("publicKeyMultibase"), str):
        return jwk_of_multikey(method["publicKeyMultibase"])
    if isinstance(method.get("publicKeyPem"), str):
        return jwk_of_pem(method["publicKeyPem"])
    raise KeyFormatError("no public key")


def _absolute(key_id: str, base: str) -> str:
    return base.split("#", 1)[0] + key_id if key_id.startswith("#") else key_id


def _owned_by(entry: Mapping[str, Any], issuer: str) -> bool:
    owner = entry.get("controller", entry.get("owner", issuer))
    return owner == issuer


def profile_keys(document: Any, issuer: str) -> dict[str, dict]:
    """Return {key id: JWK} of the keys an issuer's own Profile lists in verificationMethod or publicKey.

    As in a DID document, a Profile with an ``assertionMethod`` list vouches only for those keys.
    """
    if not isinstance(document, Mapping) or document.get("id") != issuer:
        return {}
    entries: list = []
    for name in ("verificationMethod", "publicKey"):
        value = document.get(name)
        entries.extend(value if isinstance(value, list) else [value])
    allowed = document.get("assertionMethod")
    allowed = [_absolute(item, issuer) for item in allowed if isinstance(item, str)] if isinstance(allowed, list) else None
    keys = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str) or not _owned_by(entry, issuer):
            continue
        key_id = _absolute(entry["id"], issuer)
        if allowed is not None and key_id not in allowed:
            continue
        try:
            keys[key_id] = _method_jwk(entry)
        except KeyFormatError:
            continue
    return keys


def _same_key(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    return all(one.get(name) == other.get(name) for name in _PUBLIC_PARAMETERS)


def _choose(keys: Mapping[str, dict], kid: str | None, header_jwk: Any) -> dict | None:
    """Pick the issuer's key the header names: by its ``jwk``, its ``kid``, or the only one."""
    if isinstance(header_jwk, Mapping):
        return next((key for key in keys.values() if _same_key(key, header_jwk)), None)
    if kid is not None:
        return keys.get(kid)
    return next(iter(keys.values())) if len(keys) == 1 else None


def _origin(url: str) -> tuple | None:
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname, parts.port
    except ValueError:
        return None


def _fetch(fetch: DocumentFetcher, url: str) -> Mapping[str, Any] | None:
    try:
        found = fetch(url)
    except Exception:  # refused by the guard, unreachable or not JSON
        return None
    return found if isinstance(found, Mapping) else None


def _dereferenced(kid: str, issuer: str, fetch: DocumentFetcher) -> dict[str, dict]:
    """Return {kid: JWK} for what an HTTPS ``kid`` on the issuer's site dereferences to (§8.5)."""
    origin = _origin(kid)
    if origin is None or origin != _origin(issuer):
        raise KeyUnavailable(NOT_ISSUERS)
    document = _fetch(fetch, kid.split("#", 1)[0])
    if document is None:
        raise KeyUnavailable(KEY_UNREACHABLE)
    if "kty" in document:  # a bare JWK, as 1EdTech's validator expects
        try:
            return {kid: public_only(document)}
        except KeyFormatError:
            raise KeyUnavailable(UNREADABLE) from None
    if "keys" in document:
        found = jwks_keys(document)
        fragment = kid.split("#", 1)[1] if "#" in kid else None
        key = found.get(kid) or (found.get(fragment) if fragment else None)
        return {kid: key} if key else {}
    if document.get("id") == issuer:
        return profile_keys(document, issuer)
    if document.get("id") in (kid, kid.split("#", 1)[0]) and ("owner" in document or "controller" in document):
        if not _owned_by(document, issuer):
            raise KeyUnavailable(NOT_ISSUERS)
        try:
            return {kid: _method_jwk(document)}
        except KeyFormatError:
            raise KeyUnavailable(UNREADABLE) from None
    return {}


def _web_keys(issuer: str, kid: str | None, fetch: DocumentFetcher) -> dict[str, dict]:
    """Return the keys an HTTPS issuer publishes: the kid's document, else its Profile, else its JWKS."""
    if kid and kid.startswith("https://"):
        return _dereferenced(kid, issuer, fetch)
    profile = _fetch(fetch, issuer)
    keys = profile_keys(profile, issuer)
    if keys:
        return keys
    jwks = _fetch(fetch, issuer.rstrip("/") + "/.well-known/jwks.json")
    if jwks is None:
        raise KeyUnavailable(KEY_UNREACHABLE)
    return jwks_keys(jwks)


def issuer_key(issuer: str | None, header: Mapping[str, Any], fetch: DocumentFetcher | None) -> dict:
    """Return the issuer's JWK that the JOSE header names, or raise KeyUnavailable with a plain reason."""
    kid = header.get("kid")
    kid = kid if isinstance(kid, str) and len(kid) < 2048 else None
    header_jwk = header.get("jwk")
    if isinstance(header_jwk, Mapping) and "d" in header_jwk:
        raise KeyUnavailable(UNREADABLE)  # §8.2.3: the header's JWK MUST never contain "d"
    if issuer is None:
        raise KeyUnavailable(_l("The badge does not name its issuer."))
    if kid and kid.startswith("#"):
        kid = issuer + kid
    if issuer.startswith(("did:key:", "did:jwk:", "did:web:")) and kid and kid.split("#", 1)[0] != issuer:
        raise KeyUnavailable(NOT_ISSUERS)
    if issuer.startswith(("did:key:", "did:jwk:")):
        try:
            keys = {kid or issuer: did_key_jwk(issuer) if issuer.startswith("did:key:") else did_jwk_jwk(issuer)}
        except KeyFormatError:
            raise KeyUnavailable(UNREADABLE) from None
    elif fetch is None:
        raise KeyUnavailable(KEY_UNREACHABLE)
    elif issuer.startswith("did:web:"):
        try:
            url = did_web_url(issuer)
        except KeyFormatError:
            raise KeyUnavailable(UNREADABLE) from None
        document = _fetch(fetch, url)
        if document is None:
            raise KeyUnavailable(DID_UNREACHABLE)
        try:
            keys = did_document_keys(document, issuer)
        except KeyFormatError:
            raise KeyUnavailable(_l("The issuer's DID document is not the issuer's own.")) from None
    elif issuer.startswith("https://"):
        keys = _web_keys(issuer, kid, fetch)
    else:
        raise KeyUnavailable(_l("The issuer's kind of identifier is not supported, so its key cannot be found."))
    key = _choose(keys, kid, header_jwk)
    if key is None:
        raise KeyUnavailable(NOT_ISSUERS if isinstance(header_jwk, Mapping) and keys else UNKNOWN_KEY)
    return key
