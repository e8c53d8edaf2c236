"""Check an Open Badges 2.0 assertion the way the 2.0 specification asks a verifier to.

A hosted assertion is genuine when the issuer still serves the same assertion at its
`id`, on the issuer's own website; a 410 answer or `"revoked": true` means revoked.
A signed assertion (a compact JWS) is genuine when its signature verifies, with joserfc,
against a CryptographicKey (``publicKeyPem``) that the issuer's profile lists in
``publicKey`` and that names the issuer as its ``owner``; the issuer's ``revocationList``,
when it has one, says whether it was revoked. Reasons are untranslated templates, as in
verify.py, so pages translate them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from . import vc_jwt
from .keys import KeyFormatError
from .translatable import mark as _l
from .verify import (
    EXPIRED,
    INVALID,
    REVOKED,
    UNKNOWN_STATUS,
    VALID,
    Check,
    VerificationResult,
    parse_time,
)

NOT_CHECKED = "not-checked"

# Return (HTTP status, parsed JSON or None); raise on any failure to fetch.
JsonFetcher = Callable[[str], tuple[int, Any]]


UNREACHABLE = _l("The issuer's copy of this badge could not be fetched. Try again later.")
ISSUER_UNREACHABLE = _l("The issuer's profile could not be fetched. Try again later.")
KEY_UNREACHABLE = _l("The issuer's key could not be fetched. Try again later.")
NO_KEY = _l("The issuer does not publish a key to check this signed badge with.")


@dataclass(frozen=True)
class Described:
    """What a page shows of a 2.0 badge: its name, issuer, dates and embedded image."""

    name: str | None
    issuer_name: str | None
    issued_on: datetime | None
    expires: datetime | None
    image: Any


def is_assertion(document: Any) -> bool:
    """Tell whether a JSON document is an Open Badges 2.0 assertion."""
    if not isinstance(document, Mapping):
        return False
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return "Assertion" in types


def _resolve(value: Any, fetch: JsonFetcher | None) -> Mapping[str, Any] | None:
    """Return an embedded object, or fetch it when it is a URL (and a fetcher is given)."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and fetch is not None:
        try:
            status, document = fetch(value)
        except Exception:  # any failure leaves the part unknown; the verdict says why
            return None
        return document if status == 200 and isinstance(document, Mapping) else None
    return None


def describe(assertion: Mapping[str, Any], fetch: JsonFetcher | None) -> Described:
    """Return the badge's name, issuer and dates, fetching the BadgeClass and Issuer if hosted."""
    badge = _resolve(assertion.get("badge"), fetch) or {}
    issuer = _resolve(badge.get("issuer"), fetch) or {}
    name, issuer_name = badge.get("name"), issuer.get("name")
    return Described(
        name if isinstance(name, str) else None,
        issuer_name if isinstance(issuer_name, str) else None,
        parse_time(assertion.get("issuedOn")),
        parse_time(assertion.get("expires")),
        badge.get("image"),
    )


def _host(url: Any) -> str | None:
    try:
        return urlsplit(url).hostname if isinstance(url, str) else None
    except ValueError:
        return None


def _issuer_id(assertion: Mapping[str, Any], fetch: JsonFetcher) -> Any:
    badge = _resolve(assertion.get("badge"), fetch) or {}
    issuer = badge.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _result(status: str, *checks: Check) -> VerificationResult:
    return VerificationResult(status, checks)


def _ids(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        item = item.get("id") if isinstance(item, Mapping) else item
        if isinstance(item, str):
            found.append(item)
    return found


def _signed_key(assertion: Mapping[str, Any], issuer: Mapping[str, Any], fetch: JsonFetcher) -> dict | str:
    """Return the issuer's public JWK that should have signed this assertion, or why not."""
    listed = _ids(issuer.get("publicKey"))
    if not listed:
        return NO_KEY
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    if isinstance(creator, str) and creator not in listed:
        return _l("The badge was signed with a key that does not belong to its issuer.")
    key_id = creator if isinstance(creator, str) else listed[0]
    key = _resolve(key_id, fetch)
    if key is None:
        return KEY_UNREACHABLE
    if key.get("owner") != issuer.get("id") or not isinstance(key.get("publicKeyPem"), str):
        return _l("The badge was signed with a key that does not belong to its issuer.")
    try:
        return vc_jwt.jwk_of_pem(key["publicKeyPem"])
    except KeyFormatError:
        return _l("The issuer's key cannot be read.")


def _revoked_in_list(assertion_id: str, issuer: Mapping[str, Any], fetch: JsonFetcher) -> bool | None:
    """Tell whether the issuer's revocation list names the assertion (None: it could not be read)."""
    if "revocationList" not in issuer:
        return False
    found = _resolve(issuer.get("revocationList"), fetch)
    if found is None or not isinstance(found.get("revokedAssertions", []), list):
        return None
    return assertion_id in _ids(found.get("revokedAssertions", []))


def _verify_signed(assertion: Mapping[str, Any], jws: str, fetch: JsonFetcher, now: datetime,
                   checks: list[Check]) -> VerificationResult:
    """Check a signed 2.0 assertion with the issuer's published key, then revocation and expiry."""
    header = vc_jwt.jws_header(jws)
    badge = _resolve(assertion.get("badge"), fetch) or {}
    issuer = _resolve(badge.get("issuer"), fetch)
    if issuer is None:
        return _result(NOT_CHECKED, *checks, Check("issuer", False, ISSUER_UNREACHABLE))
    if not isinstance(issuer.get("id"), str):
        reason = _l("The badge's issuer has no address, so its key cannot be found.")
        return _result(NOT_CHECKED, *checks, Check("issuer", False, reason))
    key = _signed_key(assertion, issuer, fetch)
    if isinstance(key, str):
        status = NOT_CHECKED if key in (KEY_UNREACHABLE, NO_KEY) else INVALID
        return _result(status, *checks, Check("issuer", False, key))
    signature = vc_jwt.check_compact(jws, header, key)
    checks.append(signature)
    if not signature.passed:
        return _result(INVALID, *checks)
    checks.append(Check("issuer", True, _l("The badge was signed with the issuer's own key.")))
    revoked = _revoked_in_list(assertion["id"], issuer, fetch)
    if revoked is None:
        reason = _l("The issuer's revocation list could not be fetched.")
        return _result(UNKNOWN_STATUS, *checks, Check("revocation", False, reason))
    if revoked:
        return _result(REVOKED, *checks, Check("revocation", False, _l("The issuer has revoked this badge.")))
    checks.append(Check("revocation", True, _l("The issuer has not revoked this credential.")))
    expires = parse_time(assertion.get("expires"))
    if expires is not None and expires <= now:
        return _result(EXPIRED, *checks, Check("expiry", False, _l("The credential expired on %(date)s."), expires))
    return _result(VALID, *checks)


def verify_assertion(
    assertion: Any, fetch: JsonFetcher, *, signed: bool = False, jws: str | None = None, now: datetime | None = None
) -> VerificationResult:
    """Check a 2.0 assertion: hosted copy, issuer's website, revocation, expiry."""
    now = now or datetime.now(UTC)
    if not is_assertion(assertion) or not isinstance(assertion.get("id"), str):
        return _result(INVALID, Check("format", False, _l("The document is not an Open Badges 2.0 assertion.")))
    checks = [Check("format", True, _l("The document is an Open Badges 2.0 assertion."))]
    verification = assertion.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if jws:
        return _verify_signed(assertion, jws, fetch, now, checks)
    if signed or (isinstance(kind, str) and kind.lower() in ("signed", "signedbadge")):
        reason = _l("This badge is signed in a way this app cannot check yet.")
        return _result(NOT_CHECKED, *checks, Check("signature", False, reason))
    try:
        status, hosted = fetch(assertion["id"])
    except Exception:  # unreachable, refused or not JSON: unknown, not forged
        return _result(NOT_CHECKED, *checks, Check("hosted", False, UNREACHABLE))
    if status == 410:
        return _result(REVOKED, *checks, Check("revocation", False, _l("The issuer has revoked this badge.")))
    if status != 200:
        reason = _l("The issuer no longer serves this badge at its address.")
        return _result(INVALID, *checks, Check("hosted", False, reason))
    if isinstance(hosted, Mapping) and hosted.get("revoked") is True and hosted.get("id") == assertion["id"]:
        # A revoked assertion is served changed (revoked, revocationReason): that is the revocation.
        return _result(REVOKED, *checks, Check("revocation", False, _l("The issuer has revoked this badge.")))
    if hosted != assertion:
        reason = _l("The issuer's copy of this badge is different from this one.")
        return _result(INVALID, *checks, Check("hosted", False, reason))
    checks.append(Check("hosted", True, _l("The issuer's website holds the same badge.")))
    issuer_host = _host(_issuer_id(assertion, fetch))
    if issuer_host is None or issuer_host != _host(assertion["id"]):
        reason = _l("The badge is not kept on its issuer's own website.")
        return _result(INVALID, *checks, Check("issuer", False, reason))
    checks.append(Check("issuer", True, _l("The badge is kept on its issuer's own website.")))
    if hosted.get("revoked") is True:
        return _result(REVOKED, *checks, Check("revocation", False, _l("The issuer has revoked this badge.")))
    checks.append(Check("revocation", True, _l("The issuer has not revoked this credential.")))
    expires = parse_time(assertion.get("expires"))
    if expires is not None and expires <= now:
        return _result(EXPIRED, *checks, Check("expiry", False, _l("The credential expired on %(date)s."), expires))
    return _result(VALID, *checks)
