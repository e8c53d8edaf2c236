"""The employer's page, rendered once and served from a cache until something it shows changes.

The key is everything the page shows, read from the rows the link lookup already loaded:
the link (its token and options), the language, the stored credential's hash, its status
list and that list's version (bumped by every revocation), whether the badge has expired,
and the badge's, issuer's, learner's and evidence's displayed fields. Any change makes a
new key, so nothing is invalidated by hand and a stale page cannot be served; old entries
simply age out. The link itself is checked (unknown, stopped, expired) before the cache
is read, and every view is still counted.

The cache is Flask-Caching's: this process's memory by default, Redis (shared by every
process) when REDIS_URL is set. If the cache fails, the page is rendered as if it were cold.
"""
import gzip
import hashlib
from collections.abc import Callable

import brotli
from flask import current_app

from backpack.extensions import cache
from backpack.models import Award, Evidence, ShareLink


def _award_parts(award: Award, locale: str, *, learner: bool = True) -> tuple:
    """What a badge's section shows, apart from its evidence (a collection's page names its owner, not each learner)."""
    achievement, issuer = award.achievement, award.issuer
    return (
        hashlib.sha256(award.credential_json.encode()).hexdigest(),
        award.status_list_id,
        award.status_list.version,
        award.is_expired(),
        award.revoked_at,
        award.revocation_reason,
        award.note,
        award.evidence_url,
        award.issued_at,
        award.valid_until,
        achievement.public_id,
        # The words in the reader's language, the original and which is which (the page shows all three).
        achievement.shown_in(locale),
        achievement.alignments,
        issuer.name,
        issuer.url,
        (award.learner.display_name if award.learner else None) if learner else None,
    )


def _evidence_parts(item: Evidence) -> tuple:
    return (item.public_id, item.kind, item.title, item.reflection, item.width, item.height)


def badge_key(link: ShareLink, locale: str, evidence: list[Evidence]) -> tuple:
    """Return the key of a badge link's page."""
    return (
        "badge",
        link.token_hash,
        link.include_evidence,
        locale,
        _award_parts(link.award, locale),
        tuple(_evidence_parts(item) for item in evidence),
    )


def collection_key(link: ShareLink, locale: str, items: list) -> tuple:
    """Return the key of a collection link's page, from its shareable items in order."""
    collection = link.collection
    return (
        "collection",
        link.token_hash,
        locale,
        collection.name,
        collection.description,
        collection.owner.display_name,
        tuple(
            _award_parts(item.award, locale, learner=False) if item.award is not None else _evidence_parts(item.evidence)
            for item in items
        ),
    )


def _get(name: str):
    try:
        return cache.get(name)
    except Exception:  # a cache that is down must not take the page down
        current_app.logger.warning("page cache unavailable", exc_info=True)
        return None


def _set(name: str, value) -> None:
    try:
        cache.set(name, value)
    except Exception:
        current_app.logger.warning("page cache unavailable", exc_info=True)


def _compress(html: str, encoding: str) -> bytes:
    """Compress as Flask-Compress would, with the app's levels."""
    config = current_app.config
    if encoding == "br":
        return brotli.compress(html.encode(), mode=config["COMPRESS_BR_MODE"], quality=config["COMPRESS_BR_LEVEL"],
                               lgwin=config["COMPRESS_BR_WINDOW"], lgblock=config["COMPRESS_BR_BLOCK"])
    return gzip.compress(html.encode(), config["COMPRESS_LEVEL"])


def page(key: tuple, render: Callable[[], str], encoding: str | None = None) -> bytes:
    """Return the page for the key, compressed with the encoding if one is given, from the cache when it holds it.

    A miss renders (or reads the rendered page) and keeps it; compressed copies are kept too,
    since compressing costs about as much as serving the page from the cache.
    """
    # The static files' version is in the URL the page links to: a deploy must not serve old pages.
    name = hashlib.sha256(repr((current_app.static_url_path, key)).encode()).hexdigest()
    if encoding:
        body = _get(f"{name}:{encoding}")
        if body is not None:
            return body
    html = _get(name)
    if html is None:
        html = render()
        _set(name, html)
    if not encoding:
        return html.encode()
    body = _compress(html, encoding)
    _set(f"{name}:{encoding}", body)
    return body


def clear() -> None:
    """Forget every cached page (the cache keys make this unnecessary for correctness; tests use it)."""
    cache.clear()
