"""What verifiers and wallets fetch without an account: status lists and badge images."""
from flask import Response, abort, request

from backpack.credentials.openbadge import MEDIA_TYPE
from backpack.extensions import db
from backpack.issuing import bp
from backpack.issuing.badge_image import DISPLAY_SIZES, display_webp
from backpack.issuing.status import current_copy
from backpack.models import Achievement, Issuer, StatusList
from backpack.pwa.offline import keep_offline


def _png(data: bytes, max_age: int) -> Response:
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/status/<public_id>")
def status_list(public_id: str):
    """Serve the signed status list; caches must revalidate (by ETag), so a revocation shows at once.

    Reads never write: a lapsed stored copy is re-signed in memory and served, not stored.
    """
    found = db.session.scalar(db.select(StatusList).where(StatusList.public_id == public_id))
    if found is None:
        abort(404)
    body, valid_until = current_copy(found)
    response = Response(body, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    # A copy signed in memory differs from the stored one of the same version.
    response.headers["ETag"] = f'"{found.public_id}-{found.version}-{int(valid_until.timestamp())}"'
    return response


@bp.get("/badges/<public_id>/image.png")
@keep_offline
def badge_image(public_id: str):
    found = db.session.scalar(db.select(Achievement).where(Achievement.public_id == public_id))
    if found is None:
        abort(404)
    return _png(found.image_png, 3600)


@bp.get("/badges/<public_id>/image-<int:size>.webp")
@keep_offline
def badge_picture(public_id: str, size: int):
    """The badge picture sized for a page: a fraction of the 512 px PNG that credentials name."""
    if size not in DISPLAY_SIZES:
        abort(404)
    found = db.session.scalar(db.select(Achievement).where(Achievement.public_id == public_id))
    if found is None:
        abort(404)
    response = Response(display_webp(found.image_png, size), mimetype="image/webp")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/issuers/<public_id>/logo.png")
def issuer_logo(public_id: str):
    found = db.session.scalar(db.select(Issuer).where(Issuer.public_id == public_id))
    if found is None or not found.logo_png:
        abort(404)
    return _png(found.logo_png, 3600)
