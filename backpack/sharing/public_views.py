"""What an employer opens from a QR code: no account, no app, no JavaScript needed."""
from urllib.parse import quote

from flask import Response, render_template, request
from flask_babel import get_locale

from backpack.auth.policy import awarded_evidence, shared_evidence
from backpack.credentials.openbadge import MEDIA_TYPE
from backpack.evidence.serving import KIND_NAMES, send_evidence
from backpack.extensions import limiter
from backpack.issuing.awarding import image_url
from backpack.issuing.verdict import verdict
from backpack.learner.badges import baked_png, baked_svg
from backpack.learner.collections import items_of
from backpack.sharing import bp, links, page_cache, view_counts
from backpack.web.security_headers import script_free

# Generous for people, tight for anyone trying tokens one after another.
PUBLIC_LIMIT = "60 per minute;600 per hour"
VERIFIER_PLUS = "https://verifierplus.org/?url="
# A collection page loads a photo, video or sound per item, and a video many ranges.
MEDIA_LIMIT = "240 per minute;2400 per hour"


def _machine(data, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.errorhandler(links.ShareLinkError)
def share_link_unusable(error: links.ShareLinkError):
    """Say plainly that the link does not work, on the light public layout, and nothing else."""
    response = Response(render_template("sharing/gone.html", message=str(error.message)), error.status)
    response.headers["X-Robots-Tag"] = "noindex"
    return script_free(response)


# The encodings the page is kept in, compressed once (Flask-Compress leaves an encoded response alone).
PAGE_ENCODINGS = ["br", "gzip"]


def _encoding() -> str | None:
    return request.accept_encodings.best_match(PAGE_ENCODINGS)


def _page(link, body: bytes, encoding: str | None) -> Response:
    """Serve the page (from page_cache) and count the view (off the database); never indexed,
    never kept by shared caches: the learner may stop sharing at any time."""
    response = Response(body, mimetype="text/html")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    view_counts.count_view(link)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return script_free(response)


def _award_of(link):
    """Return the badge of a badge link; a collection link has no single credential to serve."""
    if link.award is None:
        raise links.ShareLinkError(links.UNKNOWN, 404)
    return link.award


@bp.get("/s/<token>")
@limiter.limit(PUBLIC_LIMIT)
def public_badge(token: str):
    """The badge's page: checked and, when cached, served from plain columns (links.glance); a miss loads and renders."""
    glance = links.glance(token)
    if glance.award is None:
        return _collection_page(links.find_live(token), token)
    locale, encoding = str(get_locale()), _encoding()
    body = page_cache.cached(page_cache.glanced_key(glance, locale), encoding)
    if body is None:
        link = links.find_live(token)
        evidence = awarded_evidence(link.award) if link.include_evidence else []
        key = page_cache.badge_key(link, locale, evidence)
        body = page_cache.page(key, lambda: _render_badge(link, token, evidence), encoding)
    return _page(glance, body, encoding)


def _render_badge(link, token: str, evidence: list) -> str:
    award = link.award
    url = links.url_of(token)
    json_url = f"{url}/credential.json"
    return render_template(
        "sharing/public.html",
        link=link,
        award=award,
        text=award.achievement.shown_in(str(get_locale())),
        result=verdict(award),
        url=url,
        json_url=json_url,
        image=image_url(award.achievement),
        verifier_plus=VERIFIER_PLUS + quote(json_url, safe=""),
        evidence=evidence,
        token=token,
        kind_names=KIND_NAMES,
    )


def _collection_page(link, token: str) -> Response:
    """The collection's shareable items, in the learner's order, each badge with its verdict."""
    locale = str(get_locale())
    items = items_of(link.collection, shareable_only=True)

    def render() -> str:
        entries = []
        for item in items:
            if item.award is not None:
                award = item.award
                entries.append({"award": award, "text": award.achievement.shown_in(locale), "result": verdict(award)})
            else:
                entries.append({"award": None, "evidence": item.evidence})
        return render_template(
            "sharing/public_collection.html",
            link=link,
            token=token,
            entries=entries,
            url=links.url_of(token),
            kind_names=KIND_NAMES,
        )

    encoding = _encoding()
    return _page(link, page_cache.page(page_cache.collection_key(link, locale, items), render, encoding), encoding)


@bp.get("/s/<token>/evidence/<public_id>")
@limiter.limit(MEDIA_LIMIT)
def public_evidence(token: str, public_id: str):
    """Serve an evidence item the link shares (in ranges, for video)."""
    response = send_evidence(shared_evidence(links.find_live(token), public_id))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/s/<token>/credential.json")
@limiter.limit(PUBLIC_LIMIT)
def public_json(token: str):
    return _machine(_award_of(links.find_live(token)).credential_json, MEDIA_TYPE)


@bp.get("/s/<token>/badge.png")
@limiter.limit(PUBLIC_LIMIT)
def public_png(token: str):
    return _machine(baked_png(_award_of(links.find_live(token))), "image/png")


@bp.get("/s/<token>/badge.svg")
@limiter.limit(PUBLIC_LIMIT)
def public_svg(token: str):
    response = _machine(baked_svg(_award_of(links.find_live(token))), "image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src data:; sandbox"
    response.headers["Content-Disposition"] = "attachment; filename=badge.svg"
    return response
