"""Read a badge someone hands us: a baked PNG or SVG, JSON text, or what a URL answers.

Everything here treats its input as hostile: sizes are capped before parsing, JSON is
parsed strictly (one object, no duplicate keys, no NaN, bounded depth), images are
parsed by the safe readers of backpack.credentials.baking, and any URL is fetched only
through the outbound guard (public HTTPS; loopback only when a test allows it).
"""
import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from backpack.credentials import baking, ob2, vc_jwt
from backpack.web import outbound
from backpack.web.refusal import Refusal

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_JSON_BYTES = 512 * 1024
MAX_DEPTH = 40
BADGE_TYPES = ("OpenBadgeCredential", "AchievementCredential")
JWT_MEDIA_TYPE = "application/vc+jwt"
JSON_TYPES = "application/ld+json, application/json;q=0.9, */*;q=0.1"
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$")

NOT_A_BADGE = _l("This file does not contain a badge.")
TOO_LARGE = _l("This is too large to be a badge. A badge file is at most 2 MB.")
NOT_JSON = _l("This text is not valid JSON, so it cannot be a badge.")
URL_REFUSED = _l("We only fetch badges from public addresses that start with https://.")
URL_UNREACHABLE = _l("We could not reach this address. Check it and try again.")


class ImportRefused(Refusal):
    """Input that is not a badge we can keep; the message says why in plain words."""


Fetcher = Callable[[str], outbound.Fetched]


@dataclass(frozen=True)
class Badge:
    """A badge found in the input: its format, the JSON document, and how it came."""

    format: str  # "ob3" or "ob2"
    document: dict
    source: str  # "png", "svg" or "json"
    media_type: str
    signed: bool = False  # an OB 2.0 JWS
    jws: str | None = None  # the compact JWS as received: a VC-JWT / VC-JOSE credential, or a signed 2.0 assertion

    @property
    def digest(self) -> str:
        """Return the SHA-256 of the badge in canonical JSON, the same whatever wrapped it."""
        text = json.dumps(self.document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def guarded_fetch(url: str, *, max_bytes: int = MAX_FILE_BYTES, accept: str = "*/*") -> outbound.Fetched:
    """Fetch a URL someone gave us through the outbound guard, with a short timeout."""
    config = current_app.config
    return outbound.fetch(
        url,
        allow_local=config.get("IMPORT_ALLOW_LOCAL_URLS", False),
        timeout=config.get("IMPORT_TIMEOUT_SECONDS", 5.0),
        max_bytes=max_bytes,
        accept=accept,
    )


def _gone_assertion(url: str, answer: outbound.Fetched) -> bool:
    """Tell whether a 410 answer still holds the 2.0 assertion at this address (kept, shown revoked)."""
    try:
        document = parse_json(answer.body)
    except ImportRefused:
        return False
    return ob2.is_assertion(document) and document.get("id") == url


def fetch_url(url: str, fetch: Fetcher, *, keep_gone: bool = False) -> bytes:
    """Return the body at a URL, or refuse with a reason the learner understands.

    With `keep_gone`, a hosted 2.0 assertion that its issuer answers with 410 Gone (and still
    shows) is returned too: the badge is kept and its check says it was revoked.
    """
    try:
        answer = fetch(url)
    except outbound.OutboundRefused as refused:
        if refused.problem in (outbound.NOT_HTTPS, outbound.NOT_PUBLIC):
            raise ImportRefused(URL_REFUSED) from None
        if refused.problem == outbound.TOO_LARGE:
            raise ImportRefused(TOO_LARGE) from None
        raise ImportRefused(URL_UNREACHABLE) from None
    if keep_gone and answer.status == 410 and _gone_assertion(url, answer):
        return answer.body
    if answer.status != 200:
        raise ImportRefused(_l("This address did not give us a badge (the website answered %(status)s).",
                               status=answer.status))
    return answer.body


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("duplicate key")
    return found


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _too_deep(document: Any) -> bool:
    """Tell whether the JSON nests deeper than any badge does (checked without recursion)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(text: str | bytes) -> dict:
    """Parse one JSON object strictly; refuse anything else with a plain reason."""
    if len(text) > MAX_JSON_BYTES:
        raise ImportRefused(TOO_LARGE)
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise ImportRefused(NOT_JSON) from None
    if not isinstance(document, dict) or _too_deep(document):
        raise ImportRefused(NOT_A_BADGE)
    return document


def fetch_json(url: str, fetch: Fetcher) -> tuple[int, Any]:
    """Return (status, parsed JSON or None) for an OB 2.0 part; raise when unreachable."""
    answer = fetch(url)
    if answer.status != 200:
        return answer.status, None
    return 200, parse_json(answer.body)


def _kind(document: dict) -> str | None:
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" in types and any(kind in BADGE_TYPES for kind in types):
        return "ob3"
    return "ob2" if ob2.is_assertion(document) else None


def _from_text(text: str, fetch: Fetcher) -> tuple[dict, str | None]:
    """Return (document, JWS) from baked or pasted text: JSON, a credential JWT, an OB 2.0 JWS, or a URL."""
    text = text.strip()
    jws = _JWS.match(text)
    if jws and len(text) > vc_jwt.MAX_JWT_CHARS:
        raise ImportRefused(TOO_LARGE)
    if jws:
        try:
            return vc_jwt.decode(text).credential, text
        except vc_jwt.JwtFormatError:
            pass  # not a credential JWT: perhaps a signed 2.0 assertion
        try:
            payload = base64.urlsafe_b64decode(jws.group(1) + "=" * (-len(jws.group(1)) % 4))
        except (binascii.Error, ValueError):
            raise ImportRefused(NOT_A_BADGE) from None
        return parse_json(payload), text
    if text.startswith(("https://", "http://")):
        return parse_json(fetch_url(text, fetch)), None
    return parse_json(text), None


def read_badge(raw: bytes, fetch: Fetcher) -> Badge:
    """Find the badge in a file or document; refuse input that holds none."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportRefused(TOO_LARGE)
    try:
        if raw.startswith(baking.PNG_SIGNATURE):
            source, media_type = "png", "image/png"
            text = baking.unbake_png(raw) or baking.unbake_png_assertion(raw)
        elif raw.lstrip()[:1] == b"<":
            source, media_type = "svg", "image/svg+xml"
            text = baking.unbake_svg(raw) or baking.unbake_svg_assertion(raw)
        else:
            source, media_type = "json", "application/json"
            text = raw.decode("utf-8-sig")
    except baking.BakingError:
        raise ImportRefused(NOT_A_BADGE) from None
    except UnicodeDecodeError:
        raise ImportRefused(NOT_JSON) from None
    if not text:
        raise ImportRefused(NOT_A_BADGE)
    document, jws = _from_text(text, fetch)
    kind = _kind(document)
    if kind is None:
        raise ImportRefused(NOT_A_BADGE)
    if kind == "ob3" and jws and source == "json":
        source, media_type = "jwt", JWT_MEDIA_TYPE
    return Badge(kind, document, source, media_type, signed=kind == "ob2" and jws is not None, jws=jws)
