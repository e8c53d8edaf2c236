"""Answer only requests addressed to the configured origin's host.

Nothing is built from the request's `Host`, but a request that names another host (or
none) is refused before any view runs: it can only come from a misrouted proxy or from
someone probing how the app reacts to a forged name.
"""
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

ORIGIN_FORM = "BACKPACK_ORIGIN must be scheme://host[:port] with no path, e.g. https://badges.example.org"


def check_origin(origin: str) -> str:
    """Return the origin if it is an http(s) origin with no path; raise ValueError otherwise."""
    parts = urlsplit(origin or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ValueError(ORIGIN_FORM)
    return origin


def _host_name(host: str) -> str:
    """Return a Host header's name without its port, lower-cased."""
    if host.startswith("["):
        return host[1 : host.find("]")].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def init_app(app: Flask) -> None:
    """Refuse foreign hosts; trust N reverse proxies' forwarded headers when configured."""
    for origin in [app.config["BACKPACK_ORIGIN"], *app.config.get("BACKPACK_PREVIOUS_ORIGINS", [])]:
        check_origin(origin)
    if app.config.get("BACKPACK_PROXIES"):
        hops = app.config["BACKPACK_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    @app.before_request
    def refuse_foreign_host():
        # A load balancer's health check names the address it calls, not the public host.
        if request.path == "/healthz":
            return
        if _host_name(request.host or "") not in served_hosts():
            abort(400)


def served_hosts() -> set[str]:
    """Return the host names this deployment answers: its origin's, and those of its previous origins."""
    origins = [current_app.config["BACKPACK_ORIGIN"], *current_app.config.get("BACKPACK_PREVIOUS_ORIGINS", [])]
    return {urlsplit(origin).hostname.lower() for origin in origins}
