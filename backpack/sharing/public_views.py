"""What an employer opens from a QR code: no account, no app, no JavaScript needed."""
from urllib.parse import quote

from flask import Response, render_template
from flask_babel import get_locale

from backpack.extensions import db, limiter
from backpack.issuing.awarding import image_url
from backpack.issuing.public_views import CREDENTIAL_TYPE
from backpack.learner.badges import baked_png, baked_svg
from backpack.sharing import bp, links
from backpack.sharing.verdict import verdict

# Generous for people, tight for anyone trying tokens one after another.
PUBLIC_LIMIT = "60 per minute;600 per hour"
VERIFIER_PLUS = "https://verifierplus.org/?url="


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
    return response


@bp.get("/s/<token>")
@limiter.limit(PUBLIC_LIMIT)
def public_badge(token: str):
    link = links.find_live(token)
    award = link.award
    url = links.url_of(token)
    json_url = f"{url}/credential.json"
    response = Response(
        render_template(
            "sharing/public.html",
            link=link,
            award=award,
            text=award.achievement.text_in(str(get_locale())),
            result=verdict(award),
            url=url,
            json_url=json_url,
            image=image_url(award.achievement),
            verifier_plus=VERIFIER_PLUS + quote(json_url, safe=""),
        )
    )
    links.count_view(link)
    db.session.commit()
    # Never indexed, never kept by shared caches: the learner may stop sharing at any time.
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/s/<token>/credential.json")
@limiter.limit(PUBLIC_LIMIT)
def public_json(token: str):
    return _machine(links.find_live(token).award.credential_json, CREDENTIAL_TYPE)


@bp.get("/s/<token>/badge.png")
@limiter.limit(PUBLIC_LIMIT)
def public_png(token: str):
    return _machine(baked_png(links.find_live(token).award), "image/png")


@bp.get("/s/<token>/badge.svg")
@limiter.limit(PUBLIC_LIMIT)
def public_svg(token: str):
    response = _machine(baked_svg(links.find_live(token).award), "image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src data:; sandbox"
    response.headers["Content-Disposition"] = "attachment; filename=badge.svg"
    return response
