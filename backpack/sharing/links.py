"""Creating, finding and revoking share links."""
import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from backpack.credentials.keys import open_private_key, seal_private_key
from backpack.extensions import db
from backpack.models import Achievement, Award, Collection, Issuer, ShareLink, StatusList, User
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
    if not token or len(token) > 64:
        raise ShareLinkError(UNKNOWN, 404)
    digest = _hash(token)
    link = db.session.scalar(_live_query(), {"digest": digest})
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise ShareLinkError(UNKNOWN, 404)
    if not link.is_live():
        raise ShareLinkError(GONE, 410)
    return link


def links_of(target: Award | Collection) -> list[ShareLink]:
    """Return the links made for a badge or a collection, newest first."""
    column = ShareLink.collection_id if isinstance(target, Collection) else ShareLink.award_id
    return list(
        db.session.scalars(db.select(ShareLink).where(column == target.id).order_by(ShareLink.created_at.desc()))
    )


def revoke(link: ShareLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
