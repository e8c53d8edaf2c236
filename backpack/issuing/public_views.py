"""What verifiers and wallets fetch without an account: status lists and badge images."""
from flask import Response, abort

from backpack.extensions import db
from backpack.issuing import bp
from backpack.models import Achievement, Issuer, StatusList
from backpack.pwa.offline import keep_offline

CREDENTIAL_TYPE = "application/vc+ld+json"


def _png(data: bytes, max_age: int) -> Response:
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/status/<public_id>")
def status_list(public_id: str):
    """Serve the signed status list; never cached long, so a revocation shows at once."""
    found = db.session.scalar(db.select(StatusList).where(StatusList.public_id == public_id))
    if found is None or not found.credential_json:
        abort(404)
    response = Response(found.credential_json, mimetype=CREDENTIAL_TYPE)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["ETag"] = f'"{found.public_id}-{found.version}"'
    return response


@bp.get("/badges/<public_id>/image.png")
@keep_offline
def badge_image(public_id: str):
    found = db.session.scalar(db.select(Achievement).where(Achievement.public_id == public_id))
    if found is None:
        abort(404)
    return _png(found.image_png, 3600)


@bp.get("/issuers/<public_id>/logo.png")
def issuer_logo(public_id: str):
    found = db.session.scalar(db.select(Issuer).where(Issuer.public_id == public_id))
    if found is None or not found.logo_png:
        abort(404)
    return _png(found.logo_png, 3600)
