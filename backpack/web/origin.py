"""The public origin of this deployment, for links that leave the server."""
from flask import current_app, has_request_context, request

LOCAL_DEFAULT = "http://localhost:5000"


def public_origin() -> str:
    """Return BACKPACK_ORIGIN, else this request's origin, else the local default (CLI)."""
    configured = current_app.config["BACKPACK_ORIGIN"]
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return LOCAL_DEFAULT
