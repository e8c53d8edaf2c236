"""Security headers on every response: a strict CSP with no inline script; shorter where there is no script."""
from functools import cache

from flask import Flask, Response, request

from backpack.web.templating import public_stylesheet_hash

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' {public_style}",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# A page that runs no script (the employer's): it may show only its own inline stylesheet, images
# (the badge; the empty data: icon) and shared media, and send nothing anywhere. Short, because on a
# slow phone the headers of its two responses weigh as much as its stylesheet.
SCRIPT_FREE_POLICY = (
    "default-src 'none'; style-src {public_style}; img-src 'self' data:; media-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

CODE_TYPES = {"text/css", "text/javascript", "application/javascript"}
# Pictures that never run anything (SVG, which may, is not among them).
INERT_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif", "image/avif"}


def content_security_policy() -> str:
    """Return the policy; the one inline stylesheet it allows is the public pages' core.css, by its hash."""
    return CONTENT_SECURITY_POLICY.format(public_style=public_stylesheet_hash())


@cache
def script_free_policy() -> str:
    """Return the policy of a page that runs no script: nothing allowed but what it shows."""
    return SCRIPT_FREE_POLICY.format(public_style=public_stylesheet_hash())


def script_free(response: Response) -> Response:
    """Mark a page as running no script: it gets the short policy, and none of the headers that
    only restrict what script could do (X-Frame-Options too: its policy's frame-ancestors says it)."""
    response.headers["Content-Security-Policy"] = script_free_policy()
    return response


def init_app(app: Flask) -> None:
    policy = content_security_policy()

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        if (request.endpoint in ("static", "signed_in_css") and response.mimetype in CODE_TYPES) or (
            response.mimetype in INERT_TYPES and "Content-Security-Policy" not in headers
        ):
            # Stylesheets, scripts and pictures are not pages: page-level policies do nothing on
            # them, and on a slow network each response's headers cost as much as a small file.
            headers.setdefault("X-Content-Type-Options", "nosniff")
            return response
        if headers.get("Content-Security-Policy") == script_free_policy():
            _add_common(headers)
            return response
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(self), microphone=(self)")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        _add_common(headers)
        return response


def _add_common(headers) -> None:
    """Add what every page needs, scripted or not (its links must not tell other sites its address)."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if "Cache-Control" not in headers and headers.get("Content-Type", "").startswith("text/html"):
        # Pages show personal data: never keep them in shared caches.
        headers["Cache-Control"] = "private, no-store"
