from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wsgi import wrap_file

from backpack.auth.policy import Action, own_award, refuse_while_held, require
from backpack.credentials.openbadge import MEDIA_TYPE
from backpack.extensions import db, limiter
from backpack.issuing import claims
from backpack.issuing.badge_forms import ClaimForm
from backpack.issuing.verdict import verdict
from backpack.learner import badges, bp, my_data
from backpack.pwa.offline import keep_offline

CLAIM_LIMIT = "10 per minute;60 per hour"
CLAIM_ATTEMPTS = 3


@bp.get("/my/badges/<public_id>")
@require(Action.USE_BACKPACK)
@keep_offline
def badge(public_id: str):
    award = own_award(current_user, public_id)
    return render_template(
        "learner/badge.html",
        award=award,
        text=award.achievement.shown_in(_locale()),
        state=badges.state(award),
        result=verdict(award),
        sent_evidence=badges.sent_evidence(award),
    )


def _locale() -> str:
    return str(get_locale())


def _download(data, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/my/badges/<public_id>/credential.json")
@require(Action.USE_BACKPACK)
def download_json(public_id: str):
    award = own_award(current_user, public_id)
    return _download(award.credential_json, MEDIA_TYPE, f"badge-{award.public_id}.json")


@bp.get("/my/badges/<public_id>/badge.png")
@require(Action.USE_BACKPACK)
def download_png(public_id: str):
    award = own_award(current_user, public_id)
    return _download(badges.baked_png(award), "image/png", f"badge-{award.public_id}.png")


@bp.get("/my/badges/<public_id>/badge.svg")
@require(Action.USE_BACKPACK)
def download_svg(public_id: str):
    """Serve the baked SVG as a download only: SVG is never shown inline from here."""
    award = own_award(current_user, public_id)
    response = _download(badges.baked_svg(award), "image/svg+xml", f"badge-{award.public_id}.svg")
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src data:; sandbox"
    return response


@bp.get("/claim")
@require(Action.USE_BACKPACK)
def claim():
    return render_template("learner/claim.html", form=ClaimForm())


@bp.get("/claim/<code>")
@require(Action.USE_BACKPACK)
def claim_from_link(code: str):
    """The page a claim QR code opens: confirm, so a link alone never awards anything."""
    try:
        offered = claims.find(code).achievement
    except claims.ClaimError:
        # Said when the learner confirms, with the reason, like a typed code.
        offered = None
    return render_template("learner/claim.html", form=ClaimForm(code=claims.normalise(code)), offered=offered)


@bp.post("/claim")
@require(Action.USE_BACKPACK)
@limiter.limit(CLAIM_LIMIT)
def redeem():
    form = ClaimForm()
    if not form.validate_on_submit():
        return render_template("learner/claim.html", form=form), 400
    for _attempt in range(CLAIM_ATTEMPTS):
        try:
            outcome = claims.redeem(form.code.data, current_user)
            db.session.commit()
            break
        except claims.ClaimError as error:
            db.session.rollback()
            form.code.errors.append(str(error.message))
            return render_template("learner/claim.html", form=form), error.status
        except IntegrityError:
            # Another award took the same status-list index at that moment: try again; the
            # retry finds the badge already held only if it really is.
            db.session.rollback()
    else:
        form.code.errors.append(_("The badge could not be given just now. Please try again."))
        return render_template("learner/claim.html", form=form), 503
    if not outcome.created:
        flash(_("You already have this badge."), "info")
        return redirect(url_for("home.index"))
    award = outcome.created[0]
    flash(_("You earned a badge: %(name)s", name=award.achievement.text_in(_locale())["name"]), "success")
    return redirect(url_for("learner.badge", public_id=award.public_id))


@bp.get("/my/data.zip")
@require(Action.USE_BACKPACK)
def export_data():
    """Everything of the learner's as one ZIP, built in a temporary file and streamed."""
    refuse_while_held()
    spool = my_data.build_export(current_user)
    size = spool.seek(0, 2)
    spool.seek(0)
    response = Response(wrap_file(request.environ, spool), mimetype="application/zip", direct_passthrough=True)
    response.content_length = size
    response.headers["Content-Disposition"] = 'attachment; filename="my-backpack.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
