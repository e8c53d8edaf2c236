"""Badges earned elsewhere: import one, check it again, list, download and delete them.

Holders may keep any badge they hold, so a badge that fails its checks is still kept
and shown plainly as not genuine, with the reason; only input that holds no badge at
all is refused. The original is stored exactly as received and never rewritten.
"""
import base64
import hashlib
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from backpack.credentials import did_web, ob2, vc_jwt
from backpack.credentials.verify import (
    EXPIRED,
    INVALID,
    REVOKED,
    VALID,
    Check,
    VerificationResult,
    parse_time,
    verify_credential,
)
from backpack.extensions import db
from backpack.issuing.verification import local_status_list
from backpack.learner.badge_reading import (
    JSON_TYPES,
    JWT_MEDIA_TYPE,
    URL_UNREACHABLE,
    Badge,
    Fetcher,
    ImportRefused,
    fetch_json,
    fetch_url,
    guarded_fetch,
    parse_json,
    read_badge,
)
from backpack.models import ImportedCredential, User
from backpack.models.time import utcnow

MAX_IMAGE_BYTES = 256 * 1024
NAME_LENGTH = 200
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)$")

NOTHING_GIVEN = _l("Choose a badge file, paste a badge, or give its address.")


@dataclass(frozen=True)
class Imported:
    """The imported badge, and whether this import added it (False: it was already there)."""

    credential: ImportedCredential
    created: bool


def _json_fetcher(fetch: Fetcher):
    """Fetch OB 2.0 parts once per import: the check and the description both read them."""
    seen: dict[str, tuple[int, Any]] = {}

    def get(url: str) -> tuple[int, Any]:
        if url not in seen:
            seen[url] = fetch_json(url, fetch)
        return seen[url]

    return get


def _status_fetcher(fetch: Fetcher):
    """Read status lists we publish from the database; fetch others through the guard.

    A list that answers as a JWT (``application/vc+jwt``, or a compact JWS body) is returned as
    its text, for the verifier to check as a JWT.
    """

    def status_list(url: str) -> dict | str:
        local = local_status_list(url)
        if local:
            return local
        answer = fetch(url)
        if answer.status != 200:  # a 404 page is no list: say the list could not be fetched
            raise ImportRefused(URL_UNREACHABLE)
        text = answer.body.strip().decode("ascii", "replace")
        if answer.content_type.split(";")[0].strip() == JWT_MEDIA_TYPE or vc_jwt.looks_like_jwt(text):
            return text
        return parse_json(answer.body)

    return status_list


def _default_fetch(url: str):
    return guarded_fetch(url, accept=JSON_TYPES)


# Issuer keys (DID documents, JWKS) fetched through the guard, kept briefly: a learner adding
# several badges of one issuer fetches its keys once, and a changed key is seen within minutes.
KEY_CACHE_SECONDS = 300
_key_cache: dict[str, tuple[float, dict]] = {}
_key_cache_lock = threading.Lock()


def clear_key_cache() -> None:
    """Forget every cached issuer key document."""
    with _key_cache_lock:
        _key_cache.clear()


def _document_fetcher(fetch: Fetcher):
    """Fetch an issuer's DID document or JWKS as JSON; cache it when fetched through the guard."""
    cached = fetch is _default_fetch
    seen: dict[str, dict] = {}  # one check reads the issuer's document once

    def document(url: str) -> dict:
        if url in seen:
            return seen[url]
        now = time.monotonic()
        if cached:
            with _key_cache_lock:
                hit = _key_cache.get(url)
            if hit and hit[0] > now:
                return hit[1]
        answer = fetch(url)
        if answer.status != 200:
            raise ImportRefused(URL_UNREACHABLE)
        found = seen[url] = parse_json(answer.body)
        if cached:
            with _key_cache_lock:
                _key_cache[url] = (now + KEY_CACHE_SECONDS, found)
        return found

    return document


def _verify(badge: Badge, fetch: Fetcher, json_fetch) -> VerificationResult:
    documents = _document_fetcher(fetch)
    if badge.format == "ob3" and badge.jws:
        return vc_jwt.verify_jwt(badge.jws, fetch_document=documents, fetch_status_list=_status_fetcher(fetch))
    if badge.format == "ob3":
        return verify_credential(badge.document, fetch_status_list=_status_fetcher(fetch),
                                 resolve_key=did_web.did_web_resolver(documents),
                                 open_jwt_list=vc_jwt.status_list_opener(documents))
    return ob2.verify_assertion(badge.document, json_fetch, signed=badge.signed, jws=badge.jws if badge.signed else None)


def _text(value: Any) -> str:
    return value[:NAME_LENGTH] if isinstance(value, str) else ""


def _data_image(value: Any) -> str | None:
    """Keep an image only if it is embedded as a small raster data: URI (never fetched)."""
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str) or len(value) > MAX_IMAGE_BYTES * 4 // 3 + 64:
        return None
    return value if _DATA_IMAGE.match(value) else None


def _raw_image(raw: bytes, source: str) -> str | None:
    """Show a baked PNG itself as the badge's picture, when it is small."""
    if source != "png" or len(raw) > MAX_IMAGE_BYTES:
        return None
    return "data:image/png;base64," + base64.b64encode(raw).decode()


def _facts(badge: Badge, json_fetch) -> dict:
    """Return what the badge page shows: name, issuer, dates, picture."""
    document = badge.document
    if badge.format == "ob3":
        subject = document.get("credentialSubject") or {}
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        achievement = achievement if isinstance(achievement, dict) else {}
        issuer = document.get("issuer")
        return {
            "name": _text(achievement.get("name")),
            "issuer_name": _text(issuer.get("name") if isinstance(issuer, dict) else None),
            "issued_at": parse_time(document.get("validFrom") or document.get("issuanceDate")),
            "valid_until": parse_time(document.get("validUntil") or document.get("expirationDate")),
            "image": _data_image(achievement.get("image")),
        }
    described = ob2.describe(document, json_fetch)
    return {
        "name": _text(described.name),
        "issuer_name": _text(described.issuer_name),
        "issued_at": described.issued_on,
        "valid_until": described.expires,
        "image": _data_image(described.image),
    }


def _reasons(result: VerificationResult) -> list[dict]:
    return [
        {"name": c.name, "passed": c.passed, "reason": c.reason, "date": c.date.isoformat() if c.date else None}
        for c in result.checks
    ]


def result_of(imported: ImportedCredential) -> VerificationResult:
    """Return the stored verification result, as the verdict and checks templates read it."""
    checks = tuple(
        Check(item["name"], item["passed"], item["reason"], parse_time(item.get("date")))
        for item in imported.reasons or []
    )
    return VerificationResult(imported.status, checks)


@dataclass(frozen=True)
class _Named:
    name: str


@dataclass(frozen=True)
class VerdictSubject:
    """What the shared verdict macro reads of a badge, for one we did not issue."""

    issuer: _Named
    valid_until: datetime | None
    revoked_at: None = None
    revocation_reason: None = None


def verdict_subject(imported: ImportedCredential) -> VerdictSubject:
    """Return the imported badge in the shape the verdict macro reads."""
    return VerdictSubject(_Named(imported.issuer_name or _("an unknown issuer")), imported.valid_until)


def _record(imported: ImportedCredential, result: VerificationResult) -> None:
    imported.status = result.status
    imported.reasons = _reasons(result)
    imported.checked_at = utcnow()


def _existing(owner: User, digest: str) -> ImportedCredential | None:
    return db.session.scalar(
        db.select(ImportedCredential).where(ImportedCredential.owner_id == owner.id, ImportedCredential.digest == digest)
    )


def import_credential(owner: User, *, data: bytes | None = None, url: str | None = None,
                      fetch: Fetcher | None = None) -> Imported:
    """Keep a badge from a file, pasted text or a URL; the same badge twice is one row."""
    fetch = fetch or _default_fetch
    url = (url or "").strip() or None
    if url:
        raw = fetch_url(url, fetch, keep_gone=True)
    elif data and data.strip():
        raw = data
    else:
        raise ImportRefused(NOTHING_GIVEN)
    badge = read_badge(raw, fetch)
    json_fetch = _json_fetcher(fetch)
    found = _existing(owner, badge.digest)
    if found is not None:
        return Imported(found, False)
    imported = ImportedCredential(
        owner_id=owner.id,
        format=badge.format,
        source="url" if url else badge.source,
        source_url=url,
        raw=raw,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        media_type=badge.media_type,
        digest=badge.digest,
        **_facts(badge, json_fetch),
    )
    imported.image = imported.image or _raw_image(raw, badge.source)
    _record(imported, _verify(badge, fetch, json_fetch))
    try:
        with db.session.begin_nested():
            db.session.add(imported)
    except IntegrityError:  # the same badge, imported at the same moment from another tab
        return Imported(_existing(owner, badge.digest), False)
    return Imported(imported, True)


def recheck(imported: ImportedCredential, *, fetch: Fetcher | None = None) -> VerificationResult:
    """Check the badge again from its original, as received: revocation may have changed."""
    fetch = fetch or _default_fetch
    try:
        badge = read_badge(imported.raw, fetch)
    except ImportRefused:  # a baked address that no longer answers, for instance
        result = VerificationResult(ob2.NOT_CHECKED, (Check("hosted", False, ob2.UNREACHABLE),))
    else:
        result = _verify(badge, fetch, _json_fetcher(fetch))
    _record(imported, result)
    return result


def image_of(imported: ImportedCredential) -> tuple[str, bytes] | None:
    """Return (media type, bytes) of the badge's embedded raster picture, if it has one."""
    match = _DATA_IMAGE.match(imported.image or "")
    if match is None:
        return None
    try:
        return f"image/{match.group(1)}", base64.b64decode(match.group(2), validate=False)
    except ValueError:
        return None


def state(imported: ImportedCredential) -> str:
    """Return the card's label: 'valid', 'revoked', 'expired', 'invalid' or 'unchecked'."""
    if imported.status in (VALID, REVOKED, EXPIRED, INVALID):
        return imported.status
    return "unchecked"


def imported_of(owner: User) -> list[ImportedCredential]:
    """Return the learner's imported badges, newest first."""
    return list(
        db.session.scalars(
            db.select(ImportedCredential)
            .where(ImportedCredential.owner_id == owner.id)
            .order_by(ImportedCredential.created_at.desc(), ImportedCredential.id.desc())
        )
    )


def delete(imported: ImportedCredential) -> None:
    """Remove an imported badge from the backpack."""
    db.session.delete(imported)


EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg", "application/json": "json", "application/vc+jwt": "jwt"}


def filename(imported: ImportedCredential) -> str:
    """Return the original's file name for downloads and the export."""
    return f"imported-{imported.public_id}.{EXTENSIONS.get(imported.media_type, 'bin')}"
