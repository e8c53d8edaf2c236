"""The learner's evidence page, the upload endpoint (form or fetch) and the media it serves.

The upload answers JSON to scripts that ask for it (Accept: application/json; the CSRF
token in the X-CSRFToken header) and a page to the plain form, which works without script.
"""
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wsgi import wrap_file

from backpack.auth.policy import Action, evidence_for, own_evidence, require
from backpack.evidence import bp, capture
from backpack.evidence.forms import EvidenceForm, new_idempotency_key
from backpack.evidence.refusals import MediaRefused
from backpack.extensions import limiter
from backpack.models import EvidenceKind
from backpack.pwa.offline import keep_offline
from backpack.storage import media_store
from backpack.web.errors import wants_json

# An offline queue may send a dozen items at once when the phone is back online.
UPLOAD_LIMIT = "30 per minute;300 per hour"
KIND_NAMES = {
    EvidenceKind.PHOTO: _l("Photo"),
    EvidenceKind.VIDEO: _l("Video"),
    EvidenceKind.AUDIO: _l("Sound recording"),
    EvidenceKind.FILE: _l("File"),
}
# Nothing in a served file may run, even if a browser were tricked into rendering it.
MEDIA_POLICY = "default-src 'none'; sandbox"


@bp.get("/evidence")
@require(Action.USE_BACKPACK)
@keep_offline
def index():
    return _page(EvidenceForm(idempotency_key=new_idempotency_key()))


def _page(form: EvidenceForm, status: int = 200):
    items = capture.evidence_of(current_user)
    shared = capture.shared_ids(current_user)
    return (
        render_template("evidence/index.html", form=form, items=items, shared=shared, kind_names=KIND_NAMES),
        status,
    )


@bp.post("/evidence")
@require(Action.USE_BACKPACK)
@limiter.limit(UPLOAD_LIMIT)
def upload():
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _form_errors(form) if wants_json() else _page(form, 400)
    try:
        evidence, created = capture.save_evidence(
            current_user,
            form.file.data.stream,
            idempotency_key=form.idempotency_key.data,
            title=(form.title.data or "").strip(),
            reflection=(form.reflection.data or "").strip(),
            captured_at=form.captured_at.data or None,
        )
    except MediaRefused as refusal:
        if wants_json():
            raise
        form.file.errors.append(str(refusal.message))
        return _page(form, refusal.status)
    if wants_json():
        url = url_for("evidence.media", public_id=evidence.public_id)
        return jsonify(id=evidence.public_id, url=url), 201 if created else 200
    flash(_("Saved. Only you can see it.") if created else _("This was saved already."), "success")
    return redirect(url_for("evidence.index"))


def _form_errors(form: EvidenceForm):
    """Answer a script: the first problem to show, and every problem by field name."""
    fields = {name: [str(error) for error in errors] for name, errors in form.errors.items()}
    first = next((errors[0] for errors in fields.values() if errors), None)
    message = first or _("Something in the request was not right. Please try again.")
    return jsonify(error=message, fields=fields), 400


@bp.get("/evidence/<public_id>/media")
def media(public_id: str):
    """Serve the file to those allowed to see it, in ranges so videos can be scrubbed."""
    return send_evidence(evidence_for(current_user, public_id))


def send_evidence(evidence):
    """Serve an item someone was allowed to see: files as a download, media inline."""
    if evidence.kind == EvidenceKind.FILE:
        disposition = f'attachment; filename="evidence-{evidence.public_id}.pdf"'
    else:
        disposition = "inline"
    return _send(evidence.object_key, evidence.mimetype, evidence.size, evidence.sha256, disposition)


@bp.get("/evidence/<public_id>/thumbnail")
@keep_offline
def thumbnail(public_id: str):
    """Serve the small JPEG of a photo, for lists."""
    evidence = evidence_for(current_user, public_id)
    if not evidence.thumbnail_key:
        abort(404)
    size = media_store().size(evidence.thumbnail_key)
    return _send(evidence.thumbnail_key, "image/jpeg", size, evidence.sha256 + "-thumbnail", "inline")


@bp.post("/evidence/<public_id>/delete")
@require(Action.USE_BACKPACK)
def delete(public_id: str):
    capture.delete_evidence(own_evidence(current_user, public_id))
    if wants_json():
        return "", 204
    flash(_("Deleted."), "success")
    return redirect(url_for("evidence.index"))


def _send(key: str, mimetype: str, size: int, etag: str, disposition: str):
    stream = media_store().open(key)
    response = current_app.response_class(
        wrap_file(request.environ, stream), mimetype=mimetype, direct_passthrough=True
    )
    response.content_length = size
    response.set_etag(etag)
    response.headers.update(
        {
            "Content-Disposition": disposition,
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Content-Security-Policy": MEDIA_POLICY,
        }
    )
    try:
        return response.make_conditional(request.environ, accept_ranges=True, complete_length=size)
    except RequestedRangeNotSatisfiable:
        response.close()
        return current_app.response_class(status=416, headers={"Content-Range": f"bytes */{size}"})
