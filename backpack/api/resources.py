"""The learner's badges and profile as the Open Badges 3.0 API serves them, and badges platforms add.

Credentials go out exactly as they were signed: the JSON text of an award as issued, and an
imported badge's JSON as it came (unbaked from its PNG or SVG when it came baked). Badges a
platform adds are imported like those a learner adds by hand (backpack.learner.importing):
checked, kept byte for byte, and shown as not genuine when a check fails.
"""
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from backpack.credentials import baking, vc_jwt
from backpack.extensions import db
from backpack.learner import importing
from backpack.learner.badge_reading import MAX_JSON_BYTES, ImportRefused, parse_json, read_badge
from backpack.models import Award, ImportedCredential, OAuthConnection, User
from backpack.web.origin import public_url

MAX_CREDENTIAL_BYTES = MAX_JSON_BYTES
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
PROFILE_CONTEXT = ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
MAX_PROFILE_BYTES = 16 * 1024
NAME_LENGTH = 120
JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json")
# A VC-JWT (compact JWS) is sent and answered as text/plain (OB 3.0 §6.2.2).
JWS_TYPE = "text/plain"
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ApiRefused(Exception):
    """A request the API refuses, with what imsx_StatusInfo says about it."""

    def __init__(self, status: int, description: str, minor: str | None = None, major: str = "failure"):
        super().__init__(description)
        self.status = status
        self.description = description
        self.minor = minor
        self.major = major


@dataclass(frozen=True)
class Held:
    """One credential in the learner's backpack, as the API hands it out."""

    credential_id: str | None
    issued_at: datetime
    order: tuple
    text: str | None = None  # a credential with an embedded proof: its JSON text, as signed
    jws: str | None = None  # a VC-JWT credential: its compact JWS


@dataclass(frozen=True)
class Upserted:
    created: bool


# --- reading ----------------------------------------------------------------------------


def _credential_id(text: str) -> str | None:
    try:
        document = json.loads(text)
    except ValueError:
        return None
    found = document.get("id") if isinstance(document, dict) else None
    return found if isinstance(found, str) else None


def _jws_credential_id(token: str) -> str | None:
    """The id of the credential a VC-JWT carries (read, not trusted: it only finds the copy to replace)."""
    try:
        found = vc_jwt.decode(token).credential.get("id")
    except vc_jwt.JwtFormatError:
        return None
    return found if isinstance(found, str) else None


def _award_held(award: Award) -> Held:
    return Held(_credential_id(award.credential_json), award.issued_at, (award.issued_at, 0, award.id), text=award.credential_json)


def embedded_text(imported: ImportedCredential) -> str | None:
    """Return the badge's own text (JSON or compact JWS) from what was imported, unbaked if need be."""
    try:
        if imported.media_type == "image/png":
            text = baking.unbake_png(imported.raw)
        elif imported.media_type == "image/svg+xml":
            text = baking.unbake_svg(imported.raw)
        else:
            text = imported.raw.decode("utf-8-sig")
    except (baking.BakingError, UnicodeDecodeError):
        return None
    return text.strip() if text else None


def _imported_held(imported: ImportedCredential) -> Held | None:
    text = embedded_text(imported)
    if not text:
        return None
    issued = imported.issued_at or imported.created_at
    order = (issued, 1, imported.id)
    if _JWS.match(text):
        return Held(_jws_credential_id(text), issued, order, jws=text)
    credential_id = _credential_id(text)
    if credential_id is None and not text.startswith("{"):
        return None
    return Held(credential_id, issued, order, text=text)


def awards_of(user: User) -> list[Held]:
    """Return the learner's own awards as held credentials."""
    return [_award_held(award) for award in db.session.scalars(db.select(Award).where(Award.learner_id == user.id))]


def holdings(user: User) -> list[Held]:
    """Return the learner's awarded and imported Open Badges 3.0 credentials, oldest first.

    An imported copy of one of the learner's own awards is listed once, as the award.
    """
    held = awards_of(user)
    own_ids = {item.credential_id for item in held if item.credential_id}
    imported = db.session.scalars(
        db.select(ImportedCredential).where(ImportedCredential.owner_id == user.id, ImportedCredential.format == "ob3")
    )
    for row in imported:
        item = _imported_held(row)
        if item is not None and (item.credential_id is None or item.credential_id not in own_ids):
            held.append(item)
    return sorted(held, key=lambda item: item.order)


def _positive(value: str | None, name: str, default: int, smallest: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < smallest:
        raise ApiRefused(400, f"'{name}' must be a whole number of at least {smallest}.", "invalid_query_parameter")
    return int(value)


def parse_paging(args) -> tuple[int, int, datetime | None]:
    """Return (limit, offset, since) from the query, or refuse them with a reason."""
    limit = min(_positive(args.get("limit"), "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _positive(args.get("offset"), "offset", 0, 0)
    since_text = args.get("since")
    since = None
    if since_text:
        try:
            since = datetime.fromisoformat(since_text)
        except ValueError:
            raise ApiRefused(400, "'since' must be a date and time, e.g. 2025-01-31T12:00:00Z.", "invalid_query_parameter") from None
        since = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
    return limit, offset, since


def select(held: list[Held], *, limit: int, offset: int, since: datetime | None) -> tuple[list[Held], int]:
    """Return one page of the credentials issued after `since`, and how many there are in all."""
    chosen = [item for item in held if since is None or item.issued_at > since]
    return chosen[offset: offset + limit], len(chosen)


def page_body(page: list[Held]) -> str:
    """Return the GetOpenBadgeCredentialsResponse JSON, each credential's text exactly as signed."""
    texts = ",".join(item.text for item in page if item.text is not None)
    jws = json.dumps([item.jws for item in page if item.jws is not None])
    return f'{{"credential":[{texts}],"compactJwsString":{jws}}}'


def page_links(total: int, *, limit: int, offset: int, since: str | None) -> str:
    """Return the Link header: first and last always, next when there is more, prev after the first page."""

    def link(start: int, rel: str) -> str:
        values = {"limit": limit, "offset": start, **({"since": since} if since else {})}
        return f'<{public_url("api.credentials", **values)}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if offset > 0:
        links.append(link(max(0, offset - limit), "prev"))
    return ", ".join(links)


# --- adding -----------------------------------------------------------------------------


def _no_fetch(url: str):
    raise ImportRefused("A badge sent to the API must be the credential itself, not an address.")


def _same_id(rows, credential_id: str) -> list[ImportedCredential]:
    return [row for row in rows if (held := _imported_held(row)) is not None and held.credential_id == credential_id]


def upsert(owner: User, body: bytes, *, compact_jws: bool = False) -> Upserted:
    """Add a credential a platform sent, or replace the one with the same id (caller commits).

    body is the credential as JSON, or with compact_jws a VC-JWT (text/plain, OB 3.0 §6.2.2).
    It is checked and kept like any imported badge: one that fails its checks is still kept
    and shown as not genuine. One of the learner's own awards is never replaced.
    """
    try:
        document = None if compact_jws else parse_json(body)
        badge = read_badge(body, _no_fetch)
    except ImportRefused as refused:
        raise ApiRefused(refused.status, str(refused.message)) from None
    if compact_jws:
        if badge.source != "jwt":
            raise ApiRefused(400, "A text/plain body must be one compact JWS (a VC-JWT); send JSON as application/json.")
        document = badge.document
    if badge.format != "ob3":
        raise ApiRefused(400, "Only Open Badges 3.0 credentials (OpenBadgeCredential or AchievementCredential) can be added.")
    credential_id = document.get("id")
    if not isinstance(credential_id, str) or not credential_id.strip():
        raise ApiRefused(400, "The credential has no 'id', so it cannot be added or replaced.")
    for held in awards_of(owner):
        if held.credential_id == credential_id:
            if read_badge(held.text.encode("utf-8"), _no_fetch).digest == badge.digest:
                return Upserted(created=False)
            raise ApiRefused(409, "This backpack issued a credential with this id; it cannot be replaced.")
    same = _same_id(db.session.scalars(
        db.select(ImportedCredential).where(ImportedCredential.owner_id == owner.id, ImportedCredential.format == "ob3")
    ), credential_id)
    try:
        outcome = importing.import_credential(owner, data=body)
    except ImportRefused as refused:
        raise ApiRefused(refused.status, str(refused.message)) from None
    replaced = [row for row in same if row.id != outcome.credential.id]
    public_id = replaced[0].public_id if replaced and outcome.created else None
    for row in replaced:
        importing.delete(row)
    db.session.flush()
    if public_id is not None:  # the learner's page for the badge keeps its address
        outcome.credential.public_id = public_id
        db.session.flush()
    return Upserted(created=not same)


# --- profile ----------------------------------------------------------------------------


def profile(connection: OAuthConnection) -> dict:
    """Return the learner's Profile as this platform sees it (its id is pairwise: one per platform).

    `type` is an array, as 1EdTech's Profile JSON Schema requires.
    """
    return {
        "@context": PROFILE_CONTEXT,
        "id": f"urn:uuid:{connection.subject_id}",
        "type": ["Profile"],
        "name": connection.user.display_name,
    }


def update_profile(connection: OAuthConnection, body: bytes) -> dict:
    """Take the name from a Profile a platform sent (the only part kept); return the profile (caller commits)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiRefused(400, "The body is not JSON.") from None
    if not isinstance(document, dict):
        raise ApiRefused(400, "The body must be a Profile object.")
    kinds = document.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "Profile" not in kinds:
        raise ApiRefused(400, "The body must be a Profile: its 'type' must include 'Profile'.")
    if "id" in document and document["id"] != profile(connection)["id"]:
        raise ApiRefused(400, "The profile 'id' is not this learner's.")
    name = document.get("name")
    if not isinstance(name, str) or _CONTROL.search(name) or not 0 < len(" ".join(name.split())) <= NAME_LENGTH:
        raise ApiRefused(400, f"The profile needs a 'name' of 1 to {NAME_LENGTH} characters.")
    connection.user.display_name = " ".join(name.split())
    db.session.flush()
    return profile(connection)

