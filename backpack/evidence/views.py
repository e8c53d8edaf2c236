"""The learner's evidence page, the upload endpoint (form or fetch) and the media it serves.

The upload answers JSON to scripts that ask for it (Accept: application/json; the CSRF
token in the X-CSRFToken header) and a page to the plain form, which works without script.
"""
from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from backpack.auth.policy import Action, evidence_for, own_evidence, require
from backpack.evidence import (
    bp,
    capture,
    serving,
    sweep,  # noqa: F401  (registers the hourly media sweep with the worker)
)
from backpack.evidence.forms import EvidenceForm, new_idempotency_key
from backpack.evidence.refusals import MediaRefused, NoRoom
from backpack.extensions import db, limiter
from backpack.pwa.offline import keep_offline
from backpack.storage import media_store
from backpack.web.errors import wants_json

# An offline queue may send a dozen items at once when the phone is back online.
UPLOAD_LIMIT = "30 per minute;300 per hour"


@bp.get("/evidence")
@require(Action.USE_BACKPACK)
@keep_offline
def index():
    return _page(EvidenceForm(idempotency_key=new_idempotency_key()))


def _page(form: EvidenceForm, status: int = 200):
    items = capture.evidence_of(current_user)
    shared = capture.shared_ids(current_user)
    return (
        render_template("evidence/index.html", form=form, items=items, shared=shared, kind_names=serving.KIND_NAMES),
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
        message = NoRoom.without_queue if isinstance(refusal, NoRoom) else refusal.message
        form.file.errors.append(str(message))
        return _page(form, refusal.status)
    db.session.commit()
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
    return serving.send_evidence(evidence_for(current_user, public_id))


@bp.get("/evidence/<public_id>/thumbnail")
@keep_offline
def thumbnail(public_id: str):
    """Serve the small JPEG of a photo, for lists."""
    evidence = evidence_for(current_user, public_id)
    if not evidence.thumbnail_key:
        abort(404)
    size = media_store().size(evidence.thumbnail_key)
    return serving.send_media(evidence.thumbnail_key, "image/jpeg", size, evidence.sha256 + "-thumbnail", "inline")


@bp.post("/evidence/<public_id>/delete")
@require(Action.USE_BACKPACK)
def delete(public_id: str):
    capture.delete_evidence(own_evidence(current_user, public_id))
    db.session.commit()
    if wants_json():
        return "", 204
    flash(_("Deleted."), "success")
    return redirect(url_for("evidence.index"))
