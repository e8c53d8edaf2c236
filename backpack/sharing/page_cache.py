"""The employer's page, rendered once and served from a cache until something it shows changes.

The key is everything the page shows: the link (its token and options), the language, the
stored credential's hash, its status list and that list's version (bumped by every
revocation), whether the badge has expired, and the badge's, issuer's, learner's and
evidence's displayed fields. Any change makes a new key, so nothing is invalidated by hand
and a stale page cannot be served; old entries simply age out. The link itself is checked
(unknown, stopped, expired) before the cache is read, and every view is still counted.

A badge page's key is read by one Core select of plain columns (links.glance, AwardFacts,
evidence_parts): most views are cache hits, and loading the ORM objects the page renders
from took over a third of such a view's time. Only a miss loads them; the page
it renders is kept under the key those loaded objects give (facts_of), so a change between
the two reads cannot file a page under a key that does not describe it.

The cache is Flask-Caching's: this process's memory by default, Redis (shared by every
process) when REDIS_URL is set. If the cache fails, the page is rendered as if it were cold.
"""
import functools
import gzip
import hashlib
from collections.abc import Callable

import brotli
from flask import current_app

from backpack.extensions import cache, db
from backpack.models import Evidence, ShareLink
from backpack.sharing.links import AwardFacts, Glance, facts_of


def _award_parts(facts: AwardFacts, locale: str, *, learner: bool = True) -> tuple:
    """What a badge's section shows, apart from its evidence (a collection's page names its owner, not each learner)."""
    own = facts.language or "en"
    return (
        hashlib.sha256(facts.credential_json.encode()).hexdigest(),
        facts.status_list_id,
        facts.status_version,
        facts.is_expired(),
        facts.revoked_at,
        facts.revocation_reason,
        facts.note,
        facts.evidence_url,
        facts.issued_at,
        facts.valid_until,
        facts.achievement_public_id,
        # The original words, their language and the reader's translation (the page shows which is which).
        facts.name,
        facts.description,
        facts.criteria,
        own,
        None if locale == own else (facts.translations or {}).get(locale),
        facts.alignments,
        facts.issuer_name,
        facts.issuer_url,
        facts.learner_name if learner else None,
    )


def _evidence_parts(item: Evidence) -> tuple:
    return (item.public_id, item.kind, item.title, item.reflection, item.width, item.height)


@functools.cache
def _evidence_query():
    return db.select(
        Evidence.public_id, Evidence.kind, Evidence.title, Evidence.reflection, Evidence.width, Evidence.height
    ).where(Evidence.public_id.in_(db.bindparam("wanted", expanding=True)), Evidence.owner_id == db.bindparam("owner"))


def evidence_parts(facts: AwardFacts) -> tuple:
    """The shown fields of the evidence the credential links to that its learner still keeps, in its order
    (policy.awarded_evidence's items, read as plain columns)."""
    wanted = facts.evidence_public_ids
    if not wanted or facts.learner_id is None:
        return ()
    rows = db.session.connection().execute(_evidence_query(), {"wanted": wanted, "owner": facts.learner_id})
    by_id = {row[0]: tuple(row) for row in rows}
    return tuple(by_id[public_id] for public_id in wanted if public_id in by_id)


def _badge_key(link: ShareLink | Glance, facts: AwardFacts, locale: str, evidence: tuple) -> tuple:
    return ("badge", link.token_hash, link.include_evidence, locale, _award_parts(facts, locale), evidence)


def badge_key(link: ShareLink, locale: str, evidence: list[Evidence]) -> tuple:
    """Return the key of a badge link's page from loaded rows (a miss renders from them)."""
    return _badge_key(link, facts_of(link.award), locale, tuple(_evidence_parts(item) for item in evidence))


def glanced_key(glance: Glance, locale: str) -> tuple:
    """Return the same key from links.glance's columns, with no object loaded."""
    evidence = evidence_parts(glance.award) if glance.include_evidence else ()
    return _badge_key(glance, glance.award, locale, evidence)


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
            _award_parts(facts_of(item.award, learner=False), locale, learner=False)
            if item.award is not None
            else _evidence_parts(item.evidence)
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


def _name(key: tuple) -> str:
    # The static files' version is in the URL the page links to: a deploy must not serve old pages.
    return hashlib.sha256(repr((current_app.static_url_path, key)).encode()).hexdigest()


def cached(key: tuple, encoding: str | None = None) -> bytes | None:
    """Return the page for the key in the encoding if the cache holds it, else None (nothing is rendered)."""
    name = _name(key)
    if encoding:
        return _get(f"{name}:{encoding}")
    html = _get(name)
    return None if html is None else html.encode()


def page(key: tuple, render: Callable[[], str], encoding: str | None = None) -> bytes:
    """Return the page for the key, compressed with the encoding if one is given, from the cache when it holds it.

    A miss renders (or reads the rendered page) and keeps it; compressed copies are kept too,
    since compressing costs about as much as serving the page from the cache.
    """
    name = _name(key)
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
