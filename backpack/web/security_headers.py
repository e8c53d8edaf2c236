"""Security headers on every response: a strict CSP with no inline script."""
from flask import Flask, request

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


CODE_TYPES = {"text/css", "text/javascript", "application/javascript"}


def content_security_policy() -> str:
    """Return the policy; the one inline stylesheet it allows is the public pages' core.css, by its hash."""
    return CONTENT_SECURITY_POLICY.format(public_style=public_stylesheet_hash())


def init_app(app: Flask) -> None:
    policy = content_security_policy()

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        if request.endpoint in ("static", "signed_in_css") and response.mimetype in CODE_TYPES:
            # Stylesheets and scripts are never documents: page-level policies do nothing on
            # them, and on a slow network each response's headers cost as much as a small file.
            headers.setdefault("X-Content-Type-Options", "nosniff")
            return response
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(self), microphone=(self)")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if "Cache-Control" not in headers and response.mimetype == "text/html":
            # Pages show personal data: never keep them in shared caches.
            headers["Cache-Control"] = "private, no-store"
        return response
