"""Pages for badges earned elsewhere: add one, see it, check it again, download, delete."""
import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from backpack.auth.forms import PlainForm
from backpack.auth.policy import Action, own_imported, require
from backpack.extensions import db, limiter
from backpack.learner import bp, importing
from backpack.learner.badge_reading import MAX_FILE_BYTES, MAX_JSON_BYTES, NOT_A_BADGE, TOO_LARGE, ImportRefused
from backpack.learner.import_forms import ImportForm
from backpack.pwa.offline import keep_offline
from backpack.web.errors import form_expired
from backpack.web.outbound import MAX_URL_LENGTH

IMPORT_LIMIT = "20 per minute;200 per hour"


_SHARED_URL = re.compile(r"https://\S+")
# The service worker names a share it keeps on the phone with crypto.randomUUID().
_SHARE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _shared(form: ImportForm) -> bool:
    """Fill the form from a link or text shared in the address (the manifest's share_target was a GET).

    Phones installed before the share target became a POST keep sending this until their copy of
    the manifest is renewed; a POST share is kept on the phone by the service worker instead.

    Nothing is imported yet: the learner sees what was shared and presses "Add the badge",
    so the POST carries this page's CSRF token as usual.
    """
    url, text = request.args.get("url", "").strip(), request.args.get("text", "").strip()
    if not url and text:
        found = _SHARED_URL.search(text)
        if found and len(text) < 2048:
            url = found.group(0)
        else:
            form.pasted.data = text[:MAX_JSON_BYTES]
    if url.startswith("https://") and len(url) <= MAX_URL_LENGTH:
        form.url.data = url
    return bool(form.url.data or form.pasted.data)


@bp.get("/my/imported/new")
@require(Action.USE_BACKPACK)
def new_import():
    form = ImportForm()
    return render_template(
        "learner/import.html", form=form, shared=_shared(form), shared_id=_share_id(),
        share_refusals={"max_bytes": MAX_FILE_BYTES, "not_a_badge": NOT_A_BADGE, "too_large": TOO_LARGE},
    )


def _share_id() -> str | None:
    """Return the id of a file share kept by the service worker ("" if malformed: expired), or None."""
    if "shared" not in request.args:
        return None
    shared = request.args["shared"]
    return shared if _SHARE_ID.fullmatch(shared) else ""


def _share_again() -> Response:
    """The page that asks to open Backpack once and share again; never kept by a cache."""
    response = Response(render_template("learner/share_again.html"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my/imported/shared", methods=["GET", "POST"])
def receive_share():
    """The manifest's share_target action, answered by the service worker once it is installed.

    It keeps the share on the phone and opens the import page (service_worker/sw.js). A share
    that reaches the server came before the worker: it has no CSRF token, so the CSRF check
    refuses it and share_without_worker answers; this view (a reload, or a POST with a token)
    answers the same. Nothing is read or stored here, by anyone, signed in or not.
    """
    return _share_again()


@bp.errorhandler(CSRFError)
def share_without_worker(error: CSRFError):
    """Answer a share sheet's POST that reached the server: the service worker was not installed yet.

    Phones whose copy of the manifest predates the share's own action still post shares to the
    import page, with none of its form's fields: they get the same answer, and opening Backpack
    renews their manifest. Every other form of this blueprint whose token failed gets the usual answer.
    """
    own_fields = {"csrf_token", "badge_file", "pasted"}  # the import form's, never a share's
    sent = set(request.form) | set(request.files)
    old_share = request.endpoint == "learner.create_import" and not own_fields & sent
    if request.endpoint == "learner.receive_share" or old_share:
        return _share_again()
    return form_expired()


def _upload(form: ImportForm) -> bytes | None:
    """Return the uploaded file (read one byte past the cap, so a large one is refused) or pasted text."""
    upload = form.badge_file.data
    if upload and getattr(upload, "filename", ""):
        return upload.stream.read(MAX_FILE_BYTES + 1)
    return (form.pasted.data or "").encode("utf-8") or None


@bp.post("/my/imported/new")
@require(Action.USE_BACKPACK)
@limiter.limit(IMPORT_LIMIT)
def create_import():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("learner/import.html", form=form), 400
    try:
        outcome = importing.import_credential(current_user, data=_upload(form), url=form.url.data)
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        return render_template("learner/import.html", form=form, refusal=refused.message), refused.status
    if outcome.created:
        flash(_("The badge is in your backpack."), "success")
    else:
        flash(_("This badge is already in your backpack."), "info")
    return redirect(url_for("learner.imported", public_id=outcome.credential.public_id))


@bp.get("/my/imported/<public_id>")
@require(Action.USE_BACKPACK)
@keep_offline
def imported(public_id: str):
    found = own_imported(current_user, public_id)
    return render_template(
        "learner/imported.html", imported=found, result=importing.result_of(found),
        subject=importing.verdict_subject(found), form=PlainForm(),
    )


@bp.post("/my/imported/<public_id>/check")
@require(Action.USE_BACKPACK)
@limiter.limit(IMPORT_LIMIT)
def recheck_import(public_id: str):
    found = own_imported(current_user, public_id)
    if not PlainForm().validate_on_submit():
        return redirect(url_for("learner.imported", public_id=public_id))
    importing.recheck(found)
    db.session.commit()
    flash(_("Checked again just now."), "info")
    return redirect(url_for("learner.imported", public_id=public_id))


@bp.get("/my/imported/<public_id>/original")
@require(Action.USE_BACKPACK)
def download_import(public_id: str):
    """Serve the original exactly as received, as a download only (an SVG never runs here)."""
    found = own_imported(current_user, public_id)
    response = Response(found.raw, mimetype=found.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{importing.filename(found)}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/my/imported/<public_id>/image")
@require(Action.USE_BACKPACK)
@keep_offline
def imported_image(public_id: str):
    """Serve the embedded picture as a file, so pages stay small (never an SVG: rasters only)."""
    picture = importing.image_of(own_imported(current_user, public_id))
    if picture is None:
        abort(404)
    response = Response(picture[1], mimetype=picture[0])
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/my/imported/<public_id>/delete")
@require(Action.USE_BACKPACK)
def confirm_delete_import(public_id: str):
    found = own_imported(current_user, public_id)
    return render_template("learner/imported_delete.html", imported=found, form=PlainForm())


@bp.post("/my/imported/<public_id>/delete")
@require(Action.USE_BACKPACK)
def delete_import(public_id: str):
    found = own_imported(current_user, public_id)
    if not PlainForm().validate_on_submit():
        return redirect(url_for("learner.imported", public_id=public_id))
    importing.delete(found)
    db.session.commit()
    flash(_("The badge was removed from your backpack."), "success")
    return redirect(url_for("home.index"))
