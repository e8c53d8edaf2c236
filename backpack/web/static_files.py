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


@cache
def _read(path: str, modified_ns: int) -> tuple[bytes, str]:
    """A static file's bytes and ETag, read once per version of the file (the folder is ~150 KB)."""
    body = Path(path).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:32]


def _from_memory(folder: str, filename: str, max_age: int | None) -> Response:
    """Serve a static file from memory, never from an open file.

    Browsers drop static transfers mid-way (a service worker's install cancelled, a page left),
    and a dropped connection can make the development server skip closing the response: an
    open file would then wait for the garbage collector. Bytes in memory have nothing to leak.
    """
    path = safe_join(folder, filename)
    if path is None or not Path(path).is_file():
        abort(404)
    stat = Path(path).stat()
    body, etag = _read(path, stat.st_mtime_ns)
    return send_file(
        io.BytesIO(body),
        mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream",
        etag=etag,
        last_modified=stat.st_mtime,
        max_age=max_age,
        conditional=True,
    )


def init_app(app: Flask) -> None:
    """Serve both static paths from memory; mark versioned responses immutable."""

    @app.after_request
    def cache_static_forever(response):
        if request.endpoint == "static" and response.status_code in (200, 206, 304):
            response.headers["Cache-Control"] = IMMUTABLE
        return response

    def versioned_static(filename: str):
        return _from_memory(app.static_folder, filename, max_age=None)

    def plain_static(filename: str):
        return _from_memory(app.static_folder, filename, max_age=PLAIN_MAX_AGE)

    app.view_functions["static"] = versioned_static
    app.add_url_rule("/static/<path:filename>", endpoint="static_plain", view_func=plain_static)
    app.add_url_rule(f"{app.static_url_path}/css/signed-in.css", endpoint="signed_in_css", view_func=signed_in_stylesheet)
