from flask import Response, current_app, render_template, send_file

from backpack.config import ROOT
from backpack.pwa import bp, shell


@bp.get("/manifest.json")
def manifest():
    return send_file(ROOT / "manifest.json", mimetype="application/manifest+json", max_age=3600)


@bp.get("/sw.js")
def service_worker():
    """Serve the worker from the root so its scope is the whole app; never cache it long."""
    response = Response(shell.service_worker_source(shell.session_change_patterns(current_app)), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    return render_template("pwa/offline.html")

