"""Verify an Open Badges 3.0 credential the way an employer's verifier would.

Every check gets a plain-language reason, so the public verification page can
say why a badge is genuine, revoked or expired. Reasons are wrapped in ``_l`` so
they can later be extracted for translation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .jsonld import VC_V1_CONTEXT, VC_V2_CONTEXT, DocumentLoader
from .keys import KeyFormatError, ResolvedKey, resolve_did_key
from .proof import verify_proof
from .status_list import LIST_CREDENTIAL, REVOCATION, StatusListError, read_status
from .translatable import mark as _l

ONE_EDTECH_LIST = "1EdTechRevocationList"

VALID = "valid"
INVALID = "invalid"
REVOKED = "revoked"
EXPIRED = "expired"
UNKNOWN_STATUS = "unknown-status"

# A status list's answer: its JSON document, or the text of a JWT-secured (VC-JWT / VC-JOSE) list.
StatusListFetcher = Callable[[str], Mapping[str, Any] | str]
# Verify a JWT-secured list for a credential and return the list it carries (see vc_jwt.status_list_opener).
JwtListOpener = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]
KeyResolver = Callable[[str], ResolvedKey]
# A status list signed this far in the future still counts: clocks differ a little.
CLOCK_SKEW = timedelta(minutes=5)


class SignedListRefused(Exception):
    """Raised when a JWT-secured status list cannot speak for a credential; the reason is plain words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Check:
    """One verification step: its name, whether it passed, and why.

    `reason` stays an untranslated template (with `%(date)s` where `date` is set) so a
    page can translate it first and then format the date in the reader's language.
    """

    name: str
    passed: bool
    reason: str
    date: datetime | None = None

    @property
    def text(self) -> str:
        """Return the reason in English, with its date filled in."""
        return self.reason % {"date": self.date.isoformat()} if self.date else self.reason


@dataclass(frozen=True)
class VerificationResult:
    """The overall status of a credential and the checks behind it."""

    status: str
    checks: tuple[Check, ...]

    @property
    def valid(self) -> bool:
        """Tell whether the credential is genuine, current and not revoked."""
        return self.status == VALID

    def check(self, name: str) -> Check | None:
        """Return the check with this name, if it ran."""
        return next((check for check in self.checks if check.name == name), None)


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    """Return the issuer's id whether issuer is a string or a Profile."""
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _types(document: Mapping[str, Any]) -> list:
    """Return a document's types as a list."""
    types = document.get("type")
    return types if isinstance(types, list) else [types]


def parse_time(value: Any) -> datetime | None:
    """Read an XML Schema dateTime; a time without zone counts as UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dates(credential: Mapping[str, Any]) -> tuple[Any, Any]:
    """Return the raw (valid from, valid until) values of a VC 2.0 or 1.1 credential."""
    contexts = credential.get("@context")
    if isinstance(contexts, list) and contexts[:1] == [VC_V1_CONTEXT]:
        return credential.get("issuanceDate"), credential.get("expirationDate")
    return credential.get("validFrom"), credential.get("validUntil")


def _format_problem(credential: Any) -> str | None:
    """Return why the document is not an Open Badges credential, or None."""
    if not isinstance(credential, Mapping):
        return _l("The document is not a JSON object.")
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or contexts[:1] not in ([VC_V2_CONTEXT], [VC_V1_CONTEXT]):
        return _l("The document does not start with the Verifiable Credentials context.")
    types = _types(credential)
    badge_types = ("OpenBadgeCredential", "AchievementCredential")
    if "VerifiableCredential" not in types or not any(kind in badge_types for kind in types):
        return _l("The document is not an Open Badges credential.")
    if not isinstance(credential.get("id"), str) or ":" not in credential["id"]:
        return _l("The credential has no identifier.")
    if _issuer_id(credential) is None:
        return _l("The credential does not name its issuer.")
    valid_from, valid_until = _dates(credential)
    if parse_time(valid_from) is None or (valid_until is not None and parse_time(valid_until) is None):
        return _l("The credential's dates are missing or unreadable.")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(subject.get("achievement"), Mapping):
        return _l("The credential does not say what achievement it certifies.")
    if "proof" not in credential:
        return _l("The credential is not signed.")
    return None


def _check_issuer(credential: Mapping[str, Any], resolve_key: KeyResolver = resolve_did_key) -> Check:
    """Check that the signing key belongs to the issuer named in the credential."""
    proof = credential.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    method = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    try:
        controller = resolve_key(method).controller
    except KeyFormatError:
        reason = _l("The signing key is not a did:key that can be checked offline.")  # or an unreadable did:web
        return Check("issuer", False, reason)
    if controller != _issuer_id(credential):
        reason = _l("The credential was signed with a key that does not belong to its issuer.")
        return Check("issuer", False, reason)
    return Check("issuer", True, _l("The credential was signed with the issuer's own key."))


def _dated(name: str, passed: bool, reason: str, moment: datetime) -> Check:
    """Return a check whose reason names a date."""
    return Check(name, passed, reason, moment)


def _check_dates(credential: Mapping[str, Any], now: datetime) -> list[Check]:
    """Check that the credential has started and not yet expired."""
    valid_from, valid_until = (parse_time(value) for value in _dates(credential))
    if valid_from > now:
        started = _dated("valid-from", False, _l("The credential is not valid until %(date)s."), valid_from)
    else:
        started = _dated("valid-from", True, _l("The credential is valid from %(date)s."), valid_from)
    if valid_until is None:
        return [started, Check("expiry", True, _l("The credential does not expire."))]
    if valid_until <= now:
        return [started, _dated("expiry", False, _l("The credential expired on %(date)s."), valid_until)]
    return [started, _dated("expiry", True, _l("The credential is valid until %(date)s."), valid_until)]


def _revocation_entry(credential: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Return the credential's revocation entry (Bitstring, Status List 2021 or 1EdTech), if any."""
    statuses = credential.get("credentialStatus")
    statuses = statuses if isinstance(statuses, list) else [statuses]
    for entry in statuses:
        if (
            isinstance(entry, Mapping)
            and entry.get("type") in LIST_CREDENTIAL
            and entry.get("statusPurpose") == REVOCATION
        ):
            return entry
        if isinstance(entry, Mapping) and entry.get("type") == ONE_EDTECH_LIST:
            return entry
    return None


def _unknown(reason: str) -> tuple[Check, str]:
    """Return a failed revocation check that leaves the status unknown."""
    return Check("revocation", False, reason), UNKNOWN_STATUS


def _status_list_problem(
    entry: Mapping[str, Any],
    status_list: Any,
    credential: Mapping[str, Any],
    now: datetime,
    loader: DocumentLoader | None,
    resolve_key: KeyResolver = resolve_did_key,
    jwt_secured: bool = False,
) -> str | None:
    """Return why a fetched status list cannot speak for this credential now, or None.

    A saved old list, a list made for another address, another issuer's list or one made
    for another purpose could otherwise hide a revocation. A JWT-secured list's signature
    and key were checked when it was opened; every other check is the same.
    """
    if not isinstance(status_list, Mapping) or LIST_CREDENTIAL[entry.get("type")] not in _types(status_list):
        return _l("The document given as the issuer's revocation list is not a revocation list.")
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or status_list.get("id") != url:
        return _l("The revocation list is for a different address than the one the credential names.")
    if not jwt_secured and not verify_proof(status_list, loader=loader, resolve_key=resolve_key)[0]:
        return _l("The issuer's revocation list is not correctly signed.")
    if _issuer_id(status_list) != _issuer_id(credential):
        return _l("The revocation list was not published by the credential's issuer.")
    if not jwt_secured and not _check_issuer(status_list, resolve_key).passed:
        return _l("The revocation list was not signed with the issuer's own key.")
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != entry.get("statusPurpose"):
        return _l("The issuer's list is for a different purpose, not for revocation.")
    return _list_dates_problem(status_list, now)


def _list_dates_problem(status_list: Mapping[str, Any], now: datetime) -> str | None:
    """Return why a list's own dates (or its JWT's nbf/exp) say it cannot be used now, or None."""
    raw_from, raw_until = _dates(status_list)
    valid_from, valid_until = parse_time(raw_from), parse_time(raw_until)
    if (raw_from is not None and valid_from is None) or (raw_until is not None and valid_until is None):
        return _l("The dates on the issuer's revocation list cannot be read.")
    if valid_from is not None and valid_from > now + CLOCK_SKEW:
        return _l("The issuer's revocation list is not valid yet.")
    if valid_until is not None and valid_until <= now:
        return _l("The issuer's revocation list is out of date.")
    return None


def _opened(found: Any, credential: Mapping[str, Any], open_jwt_list: JwtListOpener | None) -> tuple[Any, bool]:
    """Return (the list document, whether it came as a JWT); a JWT-secured list is verified first."""
    if not isinstance(found, str):
        return found, False
    if open_jwt_list is None:
        raise SignedListRefused(_l("The issuer's revocation list is signed in a form this verifier cannot check."))
    return open_jwt_list(found, credential), True


def _check_1edtech_list(
    entry: Mapping[str, Any],
    credential: Mapping[str, Any],
    fetch_status_list: StatusListFetcher,
    now: datetime,
    open_jwt_list: JwtListOpener | None = None,
) -> tuple[Check, str | None]:
    """Check an OB 3.0 ``1EdTechRevocationList``: the issuer's list of revoked credential ids.

    The list is fetched from the address the signed credential names; it must say it is that
    address's list and the credential's issuer's, and be current, as for bitstring lists. It may
    come as a JWT, verified with the issuer's keys.
    """
    url = entry.get("id")
    try:
        found = fetch_status_list(url)
    except Exception:  # the callback may fail in any way; the status is then unknown
        return _unknown(_l("The issuer's revocation list could not be fetched."))
    try:
        found = _opened(found, credential, open_jwt_list)[0]
    except SignedListRefused as refused:
        return _unknown(refused.reason)
    revoked = found.get("revokedCredentials") if isinstance(found, Mapping) else None
    if not isinstance(revoked, list):
        return _unknown(_l("The document given as the issuer's revocation list is not a revocation list."))
    if not isinstance(url, str) or found.get("id") != url:
        return _unknown(_l("The revocation list is for a different address than the one the credential names."))
    if _issuer_id(found) != _issuer_id(credential):
        return _unknown(_l("The revocation list was not published by the credential's issuer."))
    problem = _list_dates_problem(found, now)
    if problem:
        return _unknown(problem)
    ids = {item.get("id") if isinstance(item, Mapping) else item for item in revoked}
    if credential.get("id") in ids:
        return Check("revocation", False, _l("The issuer has revoked this credential.")), REVOKED
    return Check("revocation", True, _l("The issuer has not revoked this credential.")), None


def _check_revocation(
    credential: Mapping[str, Any],
    fetch_status_list: StatusListFetcher | None,
    now: datetime,
    loader: DocumentLoader | None,
    resolve_key: KeyResolver = resolve_did_key,
    open_jwt_list: JwtListOpener | None = None,
) -> tuple[Check, str | None]:
    """Check the revocation bit; return the check and REVOKED or UNKNOWN_STATUS when it applies."""
    if not credential.get("credentialStatus"):
        reason = _l("The issuer does not publish a revocation status for this credential.")
        return Check("revocation", True, reason), None
    entry = _revocation_entry(credential)
    if entry is None:
        return _unknown(_l("The credential's revocation method is not supported by this verifier."))
    if fetch_status_list is None:
        return _unknown(_l("The revocation status was not checked."))
    if entry.get("type") == ONE_EDTECH_LIST:
        return _check_1edtech_list(entry, credential, fetch_status_list, now, open_jwt_list)
    try:
        status_list = fetch_status_list(entry.get("statusListCredential"))
    except Exception:  # the callback may fail in any way; the status is then unknown
        return _unknown(_l("The issuer's revocation list could not be fetched."))
    try:
        status_list, jwt_secured = _opened(status_list, credential, open_jwt_list)
    except SignedListRefused as refused:
        return _unknown(refused.reason)
    problem = _status_list_problem(entry, status_list, credential, now, loader, resolve_key, jwt_secured)
    if problem:
        return _unknown(problem)
    try:
        revoked = read_status(entry, status_list)
    except StatusListError:
        return _unknown(_l("The issuer's revocation list could not be read."))
    if revoked:
        return Check("revocation", False, _l("The issuer has revoked this credential.")), REVOKED
    return Check("revocation", True, _l("The issuer has not revoked this credential.")), None


def verify_credential(
    credential: Any,
    *,
    fetch_status_list: StatusListFetcher | None = None,
    now: datetime | None = None,
    loader: DocumentLoader | None = None,
    resolve_key: KeyResolver = resolve_did_key,
    open_jwt_list: JwtListOpener | None = None,
) -> VerificationResult:
    """Check format, signature, issuer key, dates and revocation; return the status and reasons.

    Keys are did:key (offline) unless `resolve_key` also reads others (did_web.did_web_resolver);
    a status list that comes as a JWT is read only with `open_jwt_list` (vc_jwt.status_list_opener).
    """
    now = now or datetime.now(UTC)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    problem = _format_problem(credential)
    if problem:
        return VerificationResult(INVALID, (Check("format", False, problem),))
    checks = [Check("format", True, _l("The document is an Open Badges credential."))]
    signed, reason = verify_proof(credential, loader=loader, resolve_key=resolve_key)
    checks.append(Check("signature", signed, reason))
    if not signed:
        return VerificationResult(INVALID, tuple(checks))
    checks.append(_check_issuer(credential, resolve_key))
    checks.extend(_check_dates(credential, now))
    if not all(check.passed for check in checks if check.name != "expiry"):
        return VerificationResult(INVALID, tuple(checks))
    revocation, revocation_status = _check_revocation(
        credential, fetch_status_list, now, loader, resolve_key, open_jwt_list
    )
    checks.append(revocation)
    expired = not next(check for check in checks if check.name == "expiry").passed
    if revocation_status == REVOKED:
        status = REVOKED
    elif expired:
        status = EXPIRED
    else:
        status = revocation_status or VALID
    return VerificationResult(status, tuple(checks))
