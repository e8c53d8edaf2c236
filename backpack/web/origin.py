"""The public origin of this deployment, for links that leave the server.

`BACKPACK_ORIGIN` is configuration, never read from a request: URLs signed into
credentials, stored, printed on cards or sent in notifications must not change with
whatever `Host` a client sends.
"""
from urllib.parse import urlsplit

from flask import current_app


def public_origin() -> str:
    """Return the configured public origin, e.g. https://badges.example.org."""
    return current_app.config["BACKPACK_ORIGIN"]


def public_host() -> str:
    """Return the host name of the public origin (the WebAuthn RP ID)."""
    return urlsplit(public_origin()).hostname


def public_url(endpoint: str, **values) -> str:
    """Build an absolute URL for an endpoint against the configured origin, in or out of a request."""
    parts = urlsplit(public_origin())
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
