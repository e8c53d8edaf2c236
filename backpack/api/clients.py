"""Platforms: RFC 7591 registration metadata checked and kept, and their logos made safe to show."""
import io
from urllib.parse import urlsplit

from flask import current_app

from backpack import raster
from backpack.api import scopes
from backpack.extensions import db
from backpack.models import OAuthClient
from backpack.models.api import secret_hash
from backpack.web import outbound

GRANT_TYPES = ("authorization_code", "refresh_token")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
MAX_REDIRECT_URIS = 10
MAX_CONTACTS = 10
URI_FIELDS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
TEXT_LIMITS = {"client_name": 200, "software_id": 200, "software_version": 200}
LOGO_MAX_BYTES = 512 * 1024
LOGO_SIDE = 128
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class MetadataProblem(ValueError):
    """Registration metadata we refuse; `field` names it, `redirect` tells an invalid_redirect_uri."""

    def __init__(self, field: str, redirect: bool = False):
        super().__init__(f"Invalid '{field}'.")
        self.field = field
        self.redirect = redirect


def allows_local() -> bool:
    """Tell whether http://localhost URIs are allowed (tests and local demos only)."""
    return bool(current_app.config.get("API_ALLOW_LOCAL_REDIRECTS"))


def acceptable_uri(uri, *, allow_local: bool) -> bool:
    """Tell whether a platform's URI is an absolute HTTPS URL (or plain-HTTP localhost when allowed)."""
    if not isinstance(uri, str) or not uri or len(uri) > 500 or any(ord(c) < 33 for c in uri):
        return False
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    if parts.fragment or not parts.hostname or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    return allow_local and parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


def check_metadata(metadata: dict) -> dict:
    """Check what Authlib's RFC 7591 claims let through against our rules; fill defaults."""
    local = allows_local()
    uris = metadata.get("redirect_uris")
    if not isinstance(uris, list) or not 0 < len(uris) <= MAX_REDIRECT_URIS:
        raise MetadataProblem("redirect_uris", redirect=True)
    if not all(acceptable_uri(uri, allow_local=local) for uri in uris):
        raise MetadataProblem("redirect_uris", redirect=True)
    for field in URI_FIELDS:
        if field in metadata and not acceptable_uri(metadata[field], allow_local=local):
            raise MetadataProblem(field)
    for field, limit in TEXT_LIMITS.items():
        value = metadata.get(field)
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > limit):
            raise MetadataProblem(field)
    if not metadata.get("client_name"):
        raise MetadataProblem("client_name")
    contacts = metadata.get("contacts", [])
    if len(contacts) > MAX_CONTACTS or not all(isinstance(c, str) and len(c) <= 200 for c in contacts):
        raise MetadataProblem("contacts")
    metadata.setdefault("grant_types", list(GRANT_TYPES))
    metadata.setdefault("response_types", ["code"])
    metadata.setdefault("scope", " ".join(scopes.ALL))
    if "authorization_code" not in metadata["grant_types"] or metadata["response_types"] != ["code"]:
        raise MetadataProblem("grant_types")
    if metadata.get("token_endpoint_auth_method") not in AUTH_METHODS:
        raise MetadataProblem("token_endpoint_auth_method")
    if not isinstance(metadata["scope"], str) or not metadata["scope"].split():
        raise MetadataProblem("scope")
    return metadata


def save(client_id: str, client_secret: str, metadata: dict) -> OAuthClient:
    """Keep a registered platform, with only a hash of its secret (caller commits)."""
    client = OAuthClient(
        client_id=client_id,
        client_secret_hash=secret_hash(client_secret),
        client_name=metadata["client_name"].strip(),
        client_uri=metadata.get("client_uri"),
        logo_uri=metadata.get("logo_uri"),
        tos_uri=metadata.get("tos_uri"),
        policy_uri=metadata.get("policy_uri"),
        software_id=metadata.get("software_id"),
        software_version=metadata.get("software_version"),
        contacts=list(metadata.get("contacts", [])),
        redirect_uris=list(metadata["redirect_uris"]),
        scope=" ".join(dict.fromkeys(metadata["scope"].split())),
        grant_types=list(metadata["grant_types"]),
        response_types=list(metadata["response_types"]),
        token_endpoint_auth_method=metadata["token_endpoint_auth_method"],
        logo_png=fetch_logo(metadata["logo_uri"]) if metadata.get("logo_uri") else None,
    )
    db.session.add(client)
    db.session.flush()
    return client


def fetch_logo(uri: str) -> bytes | None:
    """Fetch a platform's logo through the outbound guard and re-encode it as a small PNG; None if that fails."""
    config = current_app.config
    try:
        answer = outbound.fetch(
            uri, allow_local=allows_local(), timeout=config.get("IMPORT_TIMEOUT_SECONDS", 5.0),
            max_bytes=LOGO_MAX_BYTES, accept="image/png, image/jpeg, image/webp",
        )
    except outbound.OutboundRefused:
        return None
    kind = raster.sniff(answer.body)
    if answer.status != 200 or kind is None:
        return None
    try:
        image = raster.eight_bit(raster.decode(answer.body, kind, max_pixels=16_000_000))
    except raster.RasterError:
        return None
    if max(image.size) > LOGO_SIDE:
        image = raster.fit(image, LOGO_SIDE)
    if image.mode == "CMYK":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def find(client_id: str) -> OAuthClient | None:
    """Return the registered platform with this client_id."""
    if not isinstance(client_id, str) or not 0 < len(client_id) <= 64:
        return None
    return db.session.scalar(db.select(OAuthClient).where(OAuthClient.client_id == client_id))

