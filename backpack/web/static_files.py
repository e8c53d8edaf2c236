"""Static files under a versioned path, cached for a year; the plain path for the few fixed names.

The version is a hash of every static file (pwa.shell.version), so a deploy that changes
any file changes every URL: browsers and the service worker may keep what they have
forever, and a repeat visit asks for none of it. Relative module imports inside
`/static/<version>/js/` stay inside that version. The manifest's icons, and pages kept
from before a deploy, name the plain `/static/<file>`, served with a short cache.
"""
import hashlib
import io
import mimetypes
from functools import cache
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, send_file
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
PLAIN_MAX_AGE = 3600
# The signed-in pages' stylesheet: the core every page shares (the public pages load only
# that), then the rest; one request instead of two, joined when served, so no build step.
SIGNED_IN_PARTS = ("css/core.css", "css/app.css")


@cache
def _joined(static_folder: str) -> bytes:
    return b"\n".join((Path(static_folder) / part).read_bytes() for part in SIGNED_IN_PARTS)


def signed_in_stylesheet() -> Response:
    """Serve core.css and app.css as one file, immutable like every versioned static file."""
    response = Response(_joined(current_app.static_folder), mimetype="text/css")
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_app(app: Flask) -> None:
    """Mark versioned static responses immutable, and serve the plain path too."""

    @app.after_request
    def cache_static_forever(response):
        if request.endpoint == "static" and response.status_code in (200, 206, 304):
            response.headers["Cache-Control"] = IMMUTABLE
        return response

    def plain_static(filename: str):
        """Serve from memory: these few small files (icons the manifest names) are fetched and
        dropped mid-transfer by browsers installing the app, and an open file left behind by
        a dropped response would wait for the garbage collector."""
        path = safe_join(app.static_folder, filename)
        if path is None or not Path(path).is_file():
            abort(404)
        body = Path(path).read_bytes()
        return send_file(
            io.BytesIO(body),
            mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream",
            etag=hashlib.sha256(body).hexdigest()[:32],
            last_modified=Path(path).stat().st_mtime,
            max_age=PLAIN_MAX_AGE,
            conditional=True,
        )

    app.add_url_rule("/static/<path:filename>", endpoint="static_plain", view_func=plain_static)
    app.add_url_rule(f"{app.static_url_path}/css/signed-in.css", endpoint="signed_in_css", view_func=signed_in_stylesheet)
