"""Creating, finding and revoking share links."""
import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from backpack.credentials.keys import open_private_key, seal_private_key
from backpack.extensions import db
from backpack.models import Achievement, Award, Collection, Issuer, ShareLink, StatusList, User
from backpack.models.award import evidence_ids_in
from backpack.models.time import utcnow
from backpack.web.origin import public_url
from backpack.web.refusal import Refusal

EXPIRY_CHOICES = {"day": timedelta(days=1), "week": timedelta(weeks=1), "month": timedelta(days=30), "never": None}
TOKEN_BYTES = 16  # 128 bits: unguessable, and a short QR code


class ShareLinkError(Refusal):
    """A share link that shows nothing, with a plain reason."""


UNKNOWN = _l("This link does not work. Check that it was copied completely.")
GONE = _l("This link is no longer shared. Ask the person who gave it to you for a new one.")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    target: Award | Collection, *, owner: User, expiry: str, include_evidence: bool = False
) -> tuple[ShareLink, str]:
    """Create a share link for one of the owner's badges or collections; return it with its token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    lifetime = EXPIRY_CHOICES[expiry]
    link = ShareLink(
        owner=owner,
        **{"collection" if isinstance(target, Collection) else "award": target},
        token_hash=_hash(token),
        sealed_token=seal_private_key(token.encode(), current_app.config["KEY_ENCRYPTION_SECRET"]),
        include_evidence=include_evidence,
        expires_at=utcnow() + lifetime if lifetime else None,
        view_count=0,
    )
    db.session.add(link)
    return link, token


def token_of(link: ShareLink) -> str:
    """Return the link's token, for its owner to show again."""
    return open_private_key(link.sealed_token, current_app.config["KEY_ENCRYPTION_SECRET"]).decode()


def url_of(token: str) -> str:
    """Return the share link's public URL, as printed on cards and QR codes."""
    return public_url("sharing.public_badge", token=token)


@functools.cache
def _live_query():
    """One query for everything the page shows, built once: this page is opened far more than made."""
    award = joinedload(ShareLink.award)
    return (
        db.select(ShareLink)
        .where(ShareLink.token_hash == bindparam("digest"))
        .options(
            joinedload(ShareLink.collection).joinedload(Collection.owner),
            # Not the large columns the page does not show (the picture has its own URL): loaded if ever asked for.
            award.joinedload(Award.achievement).defer(Achievement.image_png),
            award.joinedload(Award.issuer).defer(Issuer.logo_png).defer(Issuer.sealed_private_key),
            award.joinedload(Award.learner),
            award.joinedload(Award.status_list).defer(StatusList.bits).defer(StatusList.credential_json),
        )
    )


def find_live(token: str) -> ShareLink:
    """Return the live link for a token, or raise: unknown 404, revoked or expired 410."""
    return _checked(token, lambda digest: db.session.scalar(_live_query(), {"digest": digest}))


class AwardFacts(NamedTuple):
    """The columns a badge's section is drawn from, as plain values (field order = award_columns())."""

    credential_json: str
    status_list_id: int
    status_version: int
    issued_at: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    revocation_reason: str | None
    note: str | None
    evidence_url: str | None
    achievement_public_id: str
    name: str
    description: str
    criteria: str
    language: str | None
    translations: dict | None
    alignments: list | None
    issuer_name: str
    issuer_url: str | None
    learner_id: int | None
    learner_name: str | None

    # The model's own rule, read from the same column.
    is_expired = Award.is_expired

    @property
    def evidence_public_ids(self) -> tuple[str, ...]:
        return evidence_ids_in(self.credential_json)


@functools.cache
def award_columns() -> tuple:
    """The columns AwardFacts holds, in its order, for a select joined as links.glance joins them."""
    return (
        Award.credential_json, Award.status_list_id, StatusList.version, Award.issued_at, Award.valid_until,
        Award.revoked_at, Award.revocation_reason, Award.note, Award.evidence_url,
        Achievement.public_id, Achievement.name, Achievement.description, Achievement.criteria,
        Achievement.language, Achievement.translations, Achievement.alignments,
        Issuer.name, Issuer.url, Award.learner_id, User.display_name,
    )


def facts_of(award: Award, *, learner: bool = True) -> AwardFacts:
    """Return the same facts from a loaded award (a cache miss; a collection's items, which name no learner)."""
    achievement, issuer = award.achievement, award.issuer
    person = award.learner if learner else None
    return AwardFacts(
        award.credential_json, award.status_list_id, award.status_list.version, award.issued_at, award.valid_until,
        award.revoked_at, award.revocation_reason, award.note, award.evidence_url,
        achievement.public_id, achievement.name, achievement.description, achievement.criteria,
        achievement.language, achievement.translations, achievement.alignments,
        issuer.name, issuer.url, award.learner_id, person.display_name if person else None,
    )


class Glance(NamedTuple):
    """A link's checks and its badge's AwardFacts (None for a collection link), read without building objects."""

    id: int
    token_hash: str
    include_evidence: bool
    expires_at: datetime | None
    revoked_at: datetime | None
    collection_id: int | None
    award: AwardFacts | None

    is_live = ShareLink.is_live


@functools.cache
def _glance_query():
    """One Core select of plain columns: most views of a badge page are cache hits and need no objects."""
    return (
        db.select(
            ShareLink.id, ShareLink.token_hash, ShareLink.include_evidence, ShareLink.expires_at,
            ShareLink.revoked_at, ShareLink.collection_id, ShareLink.award_id, *award_columns(),
        )
        .select_from(ShareLink)
        .outerjoin(Award, Award.id == ShareLink.award_id)
        .outerjoin(Achievement, Achievement.id == Award.achievement_id)
        .outerjoin(Issuer, Issuer.id == Award.issuer_id)
        .outerjoin(StatusList, StatusList.id == Award.status_list_id)
        .outerjoin(User, User.id == Award.learner_id)
        .where(ShareLink.token_hash == bindparam("digest"))
    )


def _checked(token: str, find):
    """Find the link by the token's hash and check it: unknown 404, revoked or expired 410."""
    if not token or len(token) > 64:
        raise ShareLinkError(UNKNOWN, 404)
    digest = _hash(token)
    link = find(digest)
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise ShareLinkError(UNKNOWN, 404)
    if not link.is_live():
        raise ShareLinkError(GONE, 410)
    return link


def _glance_row(digest: str) -> Glance | None:
    # A pooled connection of its own, not the ORM session's: a cache hit then builds no session at all.
    # One SELECT is atomic by itself: in autocommit, a database server is spared BEGIN and ROLLBACK.
    with db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":  # pysqlite runs a lone read outside a transaction already
            connection.execution_options(isolation_level="AUTOCOMMIT")
        row = connection.execute(_glance_query(), {"digest": digest}).first()
    if row is None:
        return None
    award = AwardFacts(*row[7:]) if row[6] is not None else None
    return Glance(*row[:6], award)


def glance(token: str) -> Glance:
    """Return the live link's Glance, or raise as find_live does (the cache-hit path of the employer's page)."""
    return _checked(token, _glance_row)


def links_of(target: Award | Collection) -> list[ShareLink]:
    """Return the links made for a badge or a collection, newest first."""
    column = ShareLink.collection_id if isinstance(target, Collection) else ShareLink.award_id
    return list(
        db.session.scalars(db.select(ShareLink).where(column == target.id).order_by(ShareLink.created_at.desc()))
    )


def revoke(link: ShareLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
