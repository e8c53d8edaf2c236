"""The installable app: manifest, service worker and the offline page."""
from flask import Blueprint, Response, render_template, send_file

from backpack import ROOT
from backpack.pwa import shell

bp = Blueprint("pwa", __name__)


@bp.get("/manifest.json")
def manifest():
    return send_file(ROOT / "manifest.json", mimetype="application/manifest+json", max_age=3600)


@bp.get("/sw.js")
def service_worker():
    """Serve the worker from the root so its scope is the whole app; never cache it long."""
    response = Response(shell.service_worker_source(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    return render_template("pwa/offline.html")

