"""Serving stored evidence to someone the policy already let through.

The evidence page, a teacher's review, a share link and a shared collection all hand
files out the same way: ranged (videos scrub), never cached, never runnable.
"""
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wsgi import wrap_file

from backpack.models import EvidenceKind
from backpack.storage import media_store

KIND_NAMES = {
    EvidenceKind.PHOTO: _l("Photo"),
    EvidenceKind.VIDEO: _l("Video"),
    EvidenceKind.AUDIO: _l("Sound recording"),
    EvidenceKind.FILE: _l("File"),
}
# Nothing in a served file may run, even if a browser were tricked into rendering it.
MEDIA_POLICY = "default-src 'none'; sandbox"


def send_evidence(evidence):
    """Serve an item someone was allowed to see: files as a download, media inline."""
    if evidence.kind == EvidenceKind.FILE:
        disposition = f'attachment; filename="evidence-{evidence.public_id}.pdf"'
    else:
        disposition = "inline"
    return send_media(evidence.object_key, evidence.mimetype, evidence.size, evidence.sha256, disposition)


def send_media(key: str, mimetype: str, size: int, etag: str, disposition: str):
    """Stream a stored file to someone already allowed to see it, with ranges and no caching."""
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
